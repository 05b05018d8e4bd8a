using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using TokenAuth.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TokenAuth.Tests.Store;

/// <summary>
/// A real redis-server paused (SIGSTOP: connections stay open, nothing answers), killed, and restarted empty on the same
/// port, under the app's real clock and the default options: the connection string names no time-outs, as the sample's.
/// Every request answers 200 (its token was checked), 503 with <c>Retry-After</c> within the backend deadline, or —
/// once the store is back and empty — 401; never 500, never 401 while the store is down. The app recovers by itself.
/// </summary>
[Collection(TimingTests.Name)]
public sealed class RedisOutageTests(ITestOutputHelper output)
{
    /// <summary>The default <see cref="TokenAuthOptions.BackendTimeout"/>.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    /// <summary>The deadline plus room for a loaded two-core machine; still far below StackExchange.Redis's 5 s default.</summary>
    private static readonly TimeSpan DeadlineBound = TimeSpan.FromSeconds(3);

    /// <summary>An open circuit answers without asking Redis: a few milliseconds, with room for a loaded machine.</summary>
    private static readonly TimeSpan FastBound = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(20);

    [RedisFact]
    public async Task RedisPaused_503WithinDeadline_FastOnceCircuitOpens_AnonymousNotHeld_RecoversAfterResume()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await StartAsync(redis);
        var token = await IssueAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, "/protected", token)).Status);

        redis.Pause();
        Sample first, anonymous, fastest, slowest;
        Sample[] burst;
        try
        {
            first = await SendAsync(app, "/protected", token);
            AssertUnavailable(first, DeadlineBound);
            // Not a fast failure of some other kind: the request waited for the deadline, and no longer.
            Assert.True(first.Elapsed >= Deadline * 0.75, $"answered after {first.Elapsed.TotalMilliseconds:0} ms, before the deadline");

            // An anonymous endpoint that receives a token waits no longer than the deadline, and runs anonymously.
            anonymous = await SendAsync(app, "/anonymous", token);
            Assert.Equal(HttpStatusCode.OK, anonymous.Status);
            Assert.False(anonymous.Authenticated);
            Assert.True(anonymous.Elapsed < DeadlineBound, $"/anonymous took {anonymous.Elapsed.TotalMilliseconds:0} ms");

            // Three more failures (five in a row) open the circuit.
            burst = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => SendAsync(app, "/protected", token)));
            Assert.All(burst, s => AssertUnavailable(s, DeadlineBound));

            var open = new List<Sample>();
            for (var i = 0; i < 20; i++)
            {
                open.Add(await SendAsync(app, "/protected", token));
            }

            var anonymousOpen = await SendAsync(app, "/anonymous", token);
            Assert.All(open, s => AssertUnavailable(s, FastBound));
            Assert.All(open, s => Assert.InRange(s.RetryAfter!.Value, 1, 5));
            Assert.Equal(HttpStatusCode.OK, anonymousOpen.Status);
            Assert.True(anonymousOpen.Elapsed < FastBound, $"/anonymous took {anonymousOpen.Elapsed.TotalMilliseconds:0} ms with the circuit open");
            fastest = open.MinBy(s => s.Elapsed)!;
            slowest = open.MaxBy(s => s.Elapsed)!;
        }
        finally
        {
            redis.Resume();
        }

        var (recovery, seen) = await PollUntilAsync(app, token, HttpStatusCode.OK);
        Assert.All(seen, s => Assert.Contains(s.Status, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
        output.WriteLine($"paused: first 503 after {Ms(first.Elapsed)}, /anonymous {Ms(anonymous.Elapsed)}, burst {string.Join("/", burst.Select(s => Ms(s.Elapsed)))}");
        output.WriteLine($"circuit open: 503 in {Ms(fastest.Elapsed)}–{Ms(slowest.Elapsed)} (Retry-After {slowest.RetryAfter} s)");
        output.WriteLine($"resumed: 200 again after {Ms(recovery)} ({seen.Count} request(s))");
    }

    [RedisFact]
    public async Task RedisPausedMidLoad_EveryRequest200Or503WithinDeadline_Never401Or500_RecoversWithoutRestart()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await StartAsync(redis);
        var token = await IssueAsync(app);
        var load = Load.Start(app, token);

        await Task.Delay(300);
        redis.Pause();
        var pausedAt = Stopwatch.GetTimestamp();
        try
        {
            // Long enough for every worker to hit the deadline and for the circuit to open.
            await Task.Delay(Deadline * 2);
        }
        finally
        {
            redis.Resume();
        }

        var resumed = Stopwatch.GetTimestamp();
        var (recovery, _) = await PollUntilAsync(app, token, HttpStatusCode.OK);
        await Task.Delay(200);
        var all = await load.StopAsync();
        Assert.All(all, s => Assert.True(s.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)s.Status} at {Ms(s.Elapsed)}"));
        Assert.All(all.Where(s => s.Status == HttpStatusCode.ServiceUnavailable), s => AssertUnavailable(s, DeadlineBound));
        Assert.All(all, s => Assert.True(s.Elapsed < DeadlineBound, $"a request took {Ms(s.Elapsed)}"));
        Assert.Contains(all, s => s.Status == HttpStatusCode.ServiceUnavailable);
        Assert.Contains(all, s => s.Status == HttpStatusCode.OK && s.StartedAt > resumed);
        var down = all.Where(s => s.StartedAt > pausedAt && s.StartedAt < resumed).ToArray();
        output.WriteLine($"{all.Length} requests; while paused {down.Length}: {down.Count(s => s.Elapsed > FastBound)} held until the deadline (max {Ms(down.Max(s => s.Elapsed))}), {down.Count(s => s.Elapsed <= FastBound)} failed fast; 200 again {Ms(recovery)} after the resume");
    }

    [RedisFact]
    public async Task RedisKilledMidLoadThenRestartedEmpty_503WhileDown_Then401ForLostTokens_200ForNewOnes()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await StartAsync(redis);
        var token = await IssueAsync(app);
        var load = Load.Start(app, token);

        await Task.Delay(300);
        await redis.StopAsync();
        var killedAt = Stopwatch.GetTimestamp();
        await Task.Delay(Deadline * 2);
        var restartedAt = Stopwatch.GetTimestamp();
        await redis.RestartAsync();

        // The restarted server is empty (no persistence): the old token is unknown once Redis answers again.
        var (lost, _) = await PollUntilAsync(app, token, HttpStatusCode.Unauthorized);
        var all = await load.StopAsync();
        Assert.All(all, s => Assert.True(s.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable or HttpStatusCode.Unauthorized, $"{(int)s.Status} at {Ms(s.Elapsed)}"));
        Assert.All(all.Where(s => s.Status == HttpStatusCode.ServiceUnavailable), s => AssertUnavailable(s, DeadlineBound));
        Assert.All(all, s => Assert.True(s.Elapsed < DeadlineBound, $"a request took {Ms(s.Elapsed)}"));
        // 401 only from the restarted, empty store; 200 only before the kill.
        Assert.All(all.Where(s => s.Status == HttpStatusCode.Unauthorized), s => Assert.True(s.EndedAt > restartedAt, "401 while Redis was down"));
        Assert.All(all.Where(s => s.Status == HttpStatusCode.OK), s => Assert.True(s.StartedAt < killedAt + Stopwatch.Frequency, "200 for a token the empty store does not know"));
        Assert.Contains(all, s => s.Status == HttpStatusCode.ServiceUnavailable);

        // A token issued again (as a client re-authenticates) works without restarting the app.
        var fresh = await IssueWithRetryAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, "/protected", fresh)).Status);
        output.WriteLine($"{all.Length} requests; killed: {all.Count(s => s.Status == HttpStatusCode.ServiceUnavailable)} × 503 (max {Ms(all.Where(s => s.Status == HttpStatusCode.ServiceUnavailable).Max(s => s.Elapsed))}); restarted empty: 401 for the lost token after {Ms(lost)}");
    }

    // ---- helpers ------------------------------------------------------------------------------------------------------

    // The store itself is what these drills break: no memory copy of store hits in front of it.
    [RedisFact]
    public async Task RedisDown_TheLoggedFaultNamesTheKeyByItsPrefixOnly()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = await TestApp.StartAsync(o => { o.UseTokenStore = true; o.StoreCacheDuration = TimeSpan.Zero; }, services: s =>
        {
            s.AddSingleton(TimeProvider.System);
            s.AddTokenAuthRedisStore(redis.ConnectionString);
        });
        var token = await IssueAsync(app);
        var hash = TokenHash.Compute(token);

        // Killed. StackExchange.Redis names the key in some of its messages ("…, key: <key>", "No connection is
        // active/available to service this operation: GET <key>"; LogRedactionTests has them) and not in others (2.7's
        // backlog time-out, what this run sees): whichever it is, no log line holds the whole hash.
        await redis.StopAsync();
        AssertUnavailable(await SendAsync(app, "/protected", token), DeadlineBound);

        var fault = Assert.Single(app.Logs.Entries, e => e.EventId.Name == "StoreUnavailable");
        Assert.Contains("RedisConnectionException", fault.Text, StringComparison.Ordinal);
        Assert.Contains(hash.Prefix, fault.Text, StringComparison.Ordinal);
        // Neither spelling of the whole hash — the store key's base64url, the legacy key's hex — is in any log line.
        var base64Url = Convert.ToBase64String(Convert.FromHexString(hash.ToString())).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.DoesNotContain(app.Logs.Entries, e => e.Text.Contains(base64Url, StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Entries, e => e.Text.Contains(hash.ToString(), StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(app.Logs.Entries, e => e.Text.Contains(token, StringComparison.Ordinal));
    }

    private static Task<TestApp> StartAsync(RedisServer redis) => TestApp.StartAsync(o => { o.UseTokenStore = true; o.StoreCacheDuration = TimeSpan.Zero; }, services: s =>
    {
        // Deadlines and the circuit's break run on the injected clock: these tests need the real one.
        s.AddSingleton(TimeProvider.System);
        // As the sample configures it: no time-outs in the connection string, so the store's defaults apply.
        s.AddTokenAuthRedisStore($"127.0.0.1:{redis.Port}");
    });

    private static Task<string> IssueAsync(TestApp app)
        => app.IssueAsync(new TokenInfo { Subject = "user-1", Scopes = ["read"], IssuedAt = DateTimeOffset.UtcNow, ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) });

    private static async Task<string> IssueWithRetryAsync(TestApp app)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await IssueAsync(app);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException && watch.Elapsed < RecoveryBound)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Eight clients sending the token to <c>/protected</c> until stopped, each answer recorded.</summary>
    private sealed class Load
    {
        private readonly ConcurrentQueue<Sample> _samples = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _clients = Task.CompletedTask;

        public static Load Start(TestApp app, string token)
        {
            var load = new Load();
            load._clients = Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                while (!load._stop.IsCancellationRequested)
                {
                    load._samples.Enqueue(await SendAsync(app, "/protected", token));
                    // A client's pace, not a spin: an open circuit answers in microseconds.
                    await Task.Delay(1);
                }
            })));
            return load;
        }

        public async Task<Sample[]> StopAsync()
        {
            await _stop.CancelAsync();
            await _clients;
            _stop.Dispose();
            return [.. _samples];
        }
    }

    /// <summary>Sends until <paramref name="wanted"/> (bounded, no fixed sleep beyond a short pause between tries).</summary>
    private static async Task<(TimeSpan Elapsed, List<Sample> Seen)> PollUntilAsync(TestApp app, string token, HttpStatusCode wanted)
    {
        var watch = Stopwatch.StartNew();
        var seen = new List<Sample>();
        while (watch.Elapsed < RecoveryBound)
        {
            var sample = await SendAsync(app, "/protected", token);
            seen.Add(sample);
            if (sample.Status == wanted)
            {
                return (watch.Elapsed, seen);
            }

            Assert.True(sample.Status == HttpStatusCode.ServiceUnavailable, $"while recovering: {(int)sample.Status}");
            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"no {(int)wanted} within {RecoveryBound}: {string.Join(", ", seen.Select(s => (int)s.Status))}");
    }

    private static async Task<Sample> SendAsync(TestApp app, string path, string token)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await app.Client.SendAsync(TestApp.Get(path, token));
        var authenticated = false;
        if (response.StatusCode == HttpStatusCode.OK)
        {
            authenticated = (await response.Content.ReadFromJsonAsync<Body>())!.Authenticated;
        }

        var ended = Stopwatch.GetTimestamp();
        return new Sample(response.StatusCode, Stopwatch.GetElapsedTime(started, ended), (int?)response.Headers.RetryAfter?.Delta?.TotalSeconds, authenticated, started, ended);
    }

    private static void AssertUnavailable(Sample sample, TimeSpan within)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, sample.Status);
        Assert.True(sample.RetryAfter >= 1, "a 503 without Retry-After");
        Assert.True(sample.Elapsed < within, $"503 after {Ms(sample.Elapsed)}, more than {Ms(within)}");
    }

    private static string Ms(TimeSpan span) => $"{span.TotalMilliseconds:0} ms";

    private sealed record Sample(HttpStatusCode Status, TimeSpan Elapsed, int? RetryAfter, bool Authenticated, long StartedAt, long EndedAt);

    private sealed record Body(bool Authenticated);
}
