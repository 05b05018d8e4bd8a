using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;
using TokenAuth.Tests.Server;
using Xunit.Abstractions;

namespace TokenAuth.Tests.Store;

/// <summary>
/// Fault drills on what the store keeps, not only on how the app answers while it is down: tokens are issued by the token
/// server (<c>/oauth/token</c>) into a real redis-server, which is then killed and restarted with its append-only file, or
/// paused and resumed, while clients keep authenticating and keep asking for tokens. Every answer is counted and judged:
/// <c>/protected</c> answers 200 only while Redis can answer, 503 with <c>Retry-After</c> within the deadline otherwise —
/// never 401 (the token was not checked) nor 500; the token endpoint answers 200 or 503, never 500. Afterwards, without
/// restarting the app, every token the server handed out — before the outage and during it — authenticates again.
/// Each drill prints its figures (README, Reliability) to the test run's output.
/// </summary>
[Collection(TimingTests.Name)]
public sealed class RedisDurabilityDrillTests(ITestOutputHelper output, RunnerLog runner) : IClassFixture<RunnerLog>
{
    /// <summary>The backend deadline of these drills: shorter than the default 2 s, so that the drills stay short.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The deadline plus room for a loaded two-core machine (1.9 s seen with a load average of 25); still short of the 2 s
    /// the Redis client would wait on its own, so that an answer within it was cut by the deadline.
    /// </summary>
    private static readonly TimeSpan DeadlineBound = Deadline + TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// The token endpoint has no deadline of its own: a save waits for StackExchange.Redis's async time-out, which the
    /// store sets to 2 s when the connection string names none (RedisConnectionDefaults) and which the client checks on
    /// its once-a-second heartbeat (3.5 s seen with Redis killed). Plus room for the machine.
    /// </summary>
    private static readonly TimeSpan IssueBound = TimeSpan.FromSeconds(5);

    /// <summary>Longer than the store's 2 s async time-out, so that a token endpoint's save can fail too.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(2.5);

    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(20);

    private const int TokensBefore = 20;

    [RedisFact]
    public async Task RedisKilledAndRestartedWithItsAppendOnlyFile_IssuedTokensStillAuthenticate_503WhileDown_RecoversWithoutRestart()
    {
        await using var redis = await RedisServer.StartAsync(appendOnly: true);
        var report = await DrillAsync(redis, down: () => redis.StopAsync(), up: () => redis.RestartAsync());
        Report("redis killed, restarted with its AOF", report);
    }

    [RedisFact]
    public async Task RedisPausedAndResumed_IssuedTokensStillAuthenticate_503WhilePaused_RecoversWithoutRestart()
    {
        await using var redis = await RedisServer.StartAsync();
        var report = await DrillAsync(redis, down: redis.PauseAsync, up: redis.ResumeAsync);
        Report("redis paused (SIGSTOP/SIGCONT)", report);
    }

    /// <summary>
    /// Issues <see cref="TokensBefore"/> tokens, starts the clients, takes Redis <paramref name="down"/> for
    /// <see cref="Outage"/>, brings it <paramref name="up"/>, waits for the first token to authenticate again, and judges
    /// every answer.
    /// </summary>
    private static async Task<DrillReport> DrillAsync(RedisServer redis, Func<Task> down, Func<Task> up)
    {
        await using var app = await TokenServerApp.StartAsync(
            scheme: o =>
            {
                o.UseTokenStore = true;
                // The store is what the drill breaks: no memory copy of store hits answers for it.
                o.StoreCacheDuration = TimeSpan.Zero;
                o.BackendTimeout = Deadline;
                // An open circuit tries Redis again after a second, so that recovery is quick to see.
                o.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(1);
            },
            services: s =>
            {
                // Deadlines and the circuit's break run on the injected clock: drills need the real one.
                s.AddSingleton(TimeProvider.System);
                // As the sample configures it: no time-outs in the connection string, so the store's defaults apply.
                s.AddTokenAuthRedisStore($"127.0.0.1:{redis.Port}");
            });

        var before = new List<string>();
        for (var i = 0; i < TokensBefore; i++)
        {
            before.Add(await TokenServerApp.GetTokenAsync(app));
        }

        foreach (var token in before)
        {
            Assert.Equal(HttpStatusCode.OK, (await AuthenticateAsync(app, token)).Status);
        }

        var load = Load.Start(app, before);
        await Task.Delay(300);
        await down();
        var downAt = Stopwatch.GetTimestamp();
        // Taken before Redis is brought up: a restarted server answers before RestartAsync returns.
        long upAt;
        try
        {
            await Task.Delay(Outage);
        }
        finally
        {
            upAt = Stopwatch.GetTimestamp();
            await up();
        }

        var recovery = await PollUntilOkAsync(app, before[0]);
        // A moment of normal service after the recovery, so that the clients see it too.
        await Task.Delay(200);
        var (answers, issued) = await load.StopAsync();

        foreach (var answer in answers)
        {
            var what = $"{answer.Kind}: {(int)answer.Status} after {Ms(answer.Elapsed)}";
            switch (answer.Status)
            {
                case HttpStatusCode.OK:
                    // Nothing could have checked a token, or saved one, while Redis could not answer.
                    Assert.False(answer.StartedAt > downAt && answer.EndedAt < upAt, $"{what}, while Redis was down");
                    break;
                case HttpStatusCode.ServiceUnavailable:
                    Assert.True(answer.RetryAfter >= 1, $"{what} without Retry-After");
                    break;
                default:
                    Assert.Fail($"{what}: only 200 and 503 are right while the store comes and goes");
                    break;
            }

            Assert.True(answer.Elapsed < (answer.Kind == Kind.Authenticate ? DeadlineBound : IssueBound), $"{what}: longer than the deadline allows");
        }

        Assert.Contains(answers, a => a.Kind == Kind.Authenticate && a.Status == HttpStatusCode.ServiceUnavailable);
        Assert.Contains(answers, a => a.Kind == Kind.Authenticate && a.Status == HttpStatusCode.OK && a.StartedAt > upAt);

        // No data loss: every token handed out, before the outage or while it came and went, authenticates now.
        var handedOut = before.Concat(issued).ToList();
        var lost = new List<int>();
        foreach (var token in handedOut)
        {
            var status = (await AuthenticateAsync(app, token)).Status;
            if (status != HttpStatusCode.OK)
            {
                lost.Add((int)status);
            }
        }

        Assert.True(lost.Count == 0, $"{lost.Count} of {handedOut.Count} tokens handed out no longer authenticate: {string.Join(", ", lost)}");

        // And the token server issues again, without restarting the app.
        var fresh = await TokenServerApp.GetTokenAsync(app);
        Assert.Equal(HttpStatusCode.OK, (await AuthenticateAsync(app, fresh)).Status);

        return new DrillReport(
            answers.Count + TokensBefore * 2 + handedOut.Count + recovery.Requests + 2,
            Tally.Of(answers.Where(a => a.Kind == Kind.Authenticate)),
            Tally.Of(answers.Where(a => a.Kind == Kind.Issue)),
            handedOut.Count,
            issued.Count,
            recovery.Elapsed);
    }

    private void Report(string drill, DrillReport r)
    {
        var line = $"drill: {drill}: {r.Requests} requests, all as expected; under load /protected {r.Authentications}, /oauth/token {r.Issues}; "
                   + $"{r.HandedOut}/{r.HandedOut} tokens handed out ({r.IssuedDuring} under load) authenticate afterwards; 200 again {Ms(r.Recovery)} after Redis came back";
        output.WriteLine(line);
        runner.WriteLine(line);
    }

    private static async Task<(TimeSpan Elapsed, int Requests)> PollUntilOkAsync(TestApp app, string token)
    {
        var watch = Stopwatch.StartNew();
        var requests = 0;
        var seen = new List<int>();
        while (watch.Elapsed < RecoveryBound)
        {
            var answer = await AuthenticateAsync(app, token);
            requests++;
            if (answer.Status == HttpStatusCode.OK)
            {
                return (watch.Elapsed, requests);
            }

            seen.Add((int)answer.Status);
            Assert.True(answer.Status == HttpStatusCode.ServiceUnavailable, $"while recovering: {(int)answer.Status}");
            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"no 200 within {RecoveryBound}: {string.Join(", ", seen)}");
    }

    private static async Task<Answer> AuthenticateAsync(TestApp app, string token)
    {
        var started = Stopwatch.GetTimestamp();
        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));
        return Answer.Of(Kind.Authenticate, response, started);
    }

    private static async Task<(Answer Answer, string? Token)> IssueAsync(TestApp app)
    {
        var started = Stopwatch.GetTimestamp();
        using var request = TokenServerApp.ClientCredentials();
        using var response = await app.Client.SendAsync(request);
        var token = response.StatusCode == HttpStatusCode.OK
            ? (await TokenServerApp.ReadJsonAsync(response)).GetProperty("access_token").GetString()
            : null;
        return (Answer.Of(Kind.Issue, response, started), token);
    }

    /// <summary>Six clients authenticating with the tokens in turn and one asking for new ones, until stopped.</summary>
    private sealed class Load
    {
        private readonly ConcurrentQueue<Answer> _answers = new();
        private readonly ConcurrentQueue<string> _issued = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _clients = Task.CompletedTask;

        public static Load Start(TestApp app, List<string> tokens)
        {
            var load = new Load();
            var authenticators = Enumerable.Range(0, 6).Select(client => Task.Run(async () =>
            {
                for (var i = client; !load._stop.IsCancellationRequested; i++)
                {
                    load._answers.Enqueue(await AuthenticateAsync(app, tokens[i % tokens.Count]));
                    // A client's pace, not a spin: an open circuit answers in microseconds.
                    await Task.Delay(1);
                }
            }));
            var issuer = Task.Run(async () =>
            {
                while (!load._stop.IsCancellationRequested)
                {
                    var (answer, token) = await IssueAsync(app);
                    load._answers.Enqueue(answer);
                    if (token is not null)
                    {
                        load._issued.Enqueue(token);
                    }

                    await Task.Delay(5);
                }
            });
            load._clients = Task.WhenAll(authenticators.Append(issuer));
            return load;
        }

        public async Task<(List<Answer> Answers, List<string> Issued)> StopAsync()
        {
            await _stop.CancelAsync();
            await _clients;
            _stop.Dispose();
            return ([.. _answers], [.. _issued]);
        }
    }

    private enum Kind
    {
        Authenticate,
        Issue,
    }

    private sealed record Answer(Kind Kind, HttpStatusCode Status, TimeSpan Elapsed, int? RetryAfter, long StartedAt, long EndedAt)
    {
        public static Answer Of(Kind kind, HttpResponseMessage response, long started)
        {
            var ended = Stopwatch.GetTimestamp();
            return new Answer(kind, response.StatusCode, Stopwatch.GetElapsedTime(started, ended), (int?)response.Headers.RetryAfter?.Delta?.TotalSeconds, started, ended);
        }
    }

    private sealed record DrillReport(int Requests, Tally Authentications, Tally Issues, int HandedOut, int IssuedDuring, TimeSpan Recovery);

    /// <summary>How one kind of request was answered: every answer is a 200 or a 503 once the drill's checks pass.</summary>
    private sealed record Tally(int Count, int Ok, int Unavailable, TimeSpan Slowest)
    {
        public static Tally Of(IEnumerable<Answer> answers)
        {
            var all = answers.ToList();
            return new Tally(all.Count, all.Count(a => a.Status == HttpStatusCode.OK), all.Count(a => a.Status == HttpStatusCode.ServiceUnavailable), all.Max(a => a.Elapsed));
        }

        public override string ToString() => $"{Count} ({Ok} × 200, {Unavailable} × 503 + Retry-After; slowest answer {Ms(Slowest)})";
    }

    private static string Ms(TimeSpan span) => $"{span.TotalMilliseconds:0} ms";
}
