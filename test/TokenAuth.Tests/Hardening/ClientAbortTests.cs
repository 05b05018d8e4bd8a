using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Hardening;

/// <summary>
/// A client that goes away while its request waits on a backend is not a backend outage: nothing is logged as one, the
/// backend's circuit does not count it (more aborted requests than the circuit's threshold leave it closed), and the next
/// request is answered as usual. A mutant that turns an abort into a 503 fails here.
/// </summary>
public sealed class ClientAbortTests
{
    private const int Aborted = 8;   // more than the circuit's five consecutive failures

    [Fact]
    public async Task StoreLookup_ClientGoesAway_NotAnOutage_CircuitStaysClosed()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestApp.Start);
        var store = new GatedStore(time);
        await using var app = await TestApp.StartAsync(o => o.UseTokenStore = true, services: s => s.AddSingleton<ITokenStore>(store), time: time);
        var token = await app.IssueAsync();

        store.Gated = true;
        for (var i = 0; i < Aborted; i++)
        {
            await AbortWhileWaitingAsync(app, token, () => store.Waiting > 0);
            await WaitUntilAsync(() => store.Waiting == 0);   // the lookup saw the abort and ended
        }

        store.Gated = false;
        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Aborted, store.Cancelled);
        AssertNothingLoggedAsAFault(app);
    }

    [Fact]
    public async Task SigningKeysRetrieval_ClientGoesAway_NotAnOutage()
    {
        var manager = new GatedConfigurationManager();
        await using var app = await TestApp.StartAsync(o =>
        {
            o.Jwt.ConfigurationManager = manager;
            o.Jwt.TokenValidationParameters = new Microsoft.IdentityModel.Tokens.TokenValidationParameters { ValidAudience = "api" };
        });

        for (var i = 0; i < Aborted; i++)
        {
            await AbortWhileWaitingAsync(app, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln", () => manager.Waiting > 0);
            await WaitUntilAsync(() => manager.Waiting == 0);
        }

        Assert.Equal(Aborted, manager.Cancelled);
        AssertNothingLoggedAsAFault(app);
    }

    private static async Task AbortWhileWaitingAsync(TestApp app, string token, Func<bool> waiting)
    {
        using var abort = new CancellationTokenSource();
        var call = app.Client.SendAsync(TestApp.Get("/protected", token), abort.Token);
        await WaitUntilAsync(waiting);
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    /// <summary>No warning or error since the app started (its start-up advice about query tokens aside).</summary>
    private static void AssertNothingLoggedAsAFault(TestApp app)
        => Assert.False(app.Logs.Entries.Any(e => e.Level >= LogLevel.Warning && e.EventId.Name != "QueryTokensReachHostingLogs"), app.Logs.AllText);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    /// <summary>An in-memory store whose lookups, while gated, wait until their caller cancels.</summary>
    private sealed class GatedStore(TimeProvider time) : ITokenStore
    {
        private readonly InMemoryTokenStore _inner = new(time);
        private int _waiting, _cancelled;

        public bool Gated { get; set; }

        public int Waiting => Volatile.Read(ref _waiting);

        public int Cancelled => Volatile.Read(ref _cancelled);

        public Task SaveAsync(TokenHash hash, TokenInfo info, CancellationToken cancellationToken = default) => _inner.SaveAsync(hash, info, cancellationToken);

        public async Task<TokenInfo?> FindAsync(TokenHash hash, CancellationToken cancellationToken = default)
        {
            if (Gated)
            {
                await WaitForCancellationAsync(() => Interlocked.Increment(ref _waiting), () => Interlocked.Decrement(ref _waiting), () => Interlocked.Increment(ref _cancelled), cancellationToken);
            }

            return await _inner.FindAsync(hash, cancellationToken);
        }

        public Task RemoveAsync(TokenHash hash, CancellationToken cancellationToken = default) => _inner.RemoveAsync(hash, cancellationToken);
    }

    /// <summary>An authority's metadata that never comes: each retrieval waits until its caller cancels.</summary>
    private sealed class GatedConfigurationManager : IConfigurationManager<OpenIdConnectConfiguration>
    {
        private int _waiting, _cancelled;

        public int Waiting => Volatile.Read(ref _waiting);

        public int Cancelled => Volatile.Read(ref _cancelled);

        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
        {
            await WaitForCancellationAsync(() => Interlocked.Increment(ref _waiting), () => Interlocked.Decrement(ref _waiting), () => Interlocked.Increment(ref _cancelled), cancel);
            throw new InvalidOperationException("Unreachable: the wait ends by cancellation.");
        }

        public void RequestRefresh()
        {
        }
    }

    private static async Task WaitForCancellationAsync(Action enter, Action leave, Action cancelled, CancellationToken cancellationToken)
    {
        enter();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            cancelled();
            throw;
        }
        finally
        {
            leave();
        }
    }
}
