using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Impersonation;

/// <summary>
/// The node's cache of tenant and sudo-user lookups, the eviction API the revocation messages use, and the deadline
/// and circuit of both stores — through the real pipeline on the test app's fake clock (time is advanced, never slept).
/// </summary>
public sealed class ImpersonationCacheTests
{
    // ---- tenants ------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Tenant_BoundToToken_OneStoreCallPerCacheDuration()
    {
        await using var app = await StartAsync();
        var tenants = app.Services.GetRequiredService<CountingTenantStore>();
        var token = await TokenAsync(app, scopes: ["read"], tenantId: "t-100");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("t-100", (await WhoAmIAsync(app, "/whoami", token)).FeatureTenantId);
        }

        Assert.Equal(1, tenants.Calls);
        app.Time.Advance(TimeSpan.FromSeconds(29));
        await WhoAmIAsync(app, "/whoami", token);
        Assert.Equal(1, tenants.Calls);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await WhoAmIAsync(app, "/whoami", token);
        Assert.Equal(2, tenants.Calls);
    }

    [Fact]
    public async Task Tenant_ByCode_KeyedByTheCodeAsGiven()
    {
        await using var app = await StartAsync();
        var tenants = app.Services.GetRequiredService<CountingTenantStore>();
        var token = await TokenAsync(app);

        await WhoAmIAsync(app, "/whoami?tenantCode=acme", token);
        await WhoAmIAsync(app, "/whoami?tenantCode=acme", token);
        Assert.Equal(1, tenants.Calls);

        // The store matches codes case-insensitively; the cache does not presume to.
        Assert.Equal("t-100", (await WhoAmIAsync(app, "/whoami?tenantCode=ACME", token)).FeatureTenantId);
        Assert.Equal(2, tenants.Calls);
        Assert.Equal("t-100", (await WhoAmIAsync(app, "/whoami?tenantId=t-100", token)).FeatureTenantId);
        Assert.Equal(3, tenants.Calls);
    }

    [Fact]
    public async Task Tenant_NotFound_IsNotCached()
    {
        await using var app = await StartAsync();
        var tenants = app.Services.GetRequiredService<CountingTenantStore>();
        var token = await TokenAsync(app);

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(app, "/whoami?tenantCode=initech", token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(app, "/whoami?tenantCode=initech", token)).StatusCode);

        Assert.Equal(2, tenants.Calls);
    }

    [Fact]
    public async Task Tenant_StoreFault_IsNotCached_TheNextRequestAsksAgain()
    {
        await using var app = await StartAsync();
        var tenants = app.Services.GetRequiredService<CountingTenantStore>();
        var token = await TokenAsync(app);
        tenants.FailNext = 1;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SendAsync(app, "/whoami?tenantCode=acme", token)).StatusCode);
        Assert.Equal("t-100", (await WhoAmIAsync(app, "/whoami?tenantCode=acme", token)).FeatureTenantId);
        Assert.Equal(2, tenants.Calls);
    }

    [Fact]
    public async Task Tenant_CacheDurationZero_EveryRequestAsks()
    {
        await using var app = await StartAsync(o => o.Tenants.CacheDuration = TimeSpan.Zero);
        var tenants = app.Services.GetRequiredService<CountingTenantStore>();
        var token = await TokenAsync(app, scopes: ["read"], tenantId: "t-100");

        for (var i = 0; i < 3; i++)
        {
            await WhoAmIAsync(app, "/whoami", token);
        }

        Assert.Equal(3, tenants.Calls);
    }

    // ---- sudo users ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Sudo_UserCached_ButScopeCheckCanImpersonateAndEventRunOnEveryRequest()
    {
        var events = 0;
        await using var app = await StartAsync(o => o.Events.OnImpersonating = _ => { Interlocked.Increment(ref events); return Task.CompletedTask; });
        var users = app.Services.GetRequiredService<CountingUserStore>();
        var token = await TokenAsync(app);
        var withoutSudo = await TokenAsync(app, scopes: ["read"]);

        Assert.Equal("1001", (await WhoAmIAsync(app, "/whoami?sudo=uid:1001", token)).Sub);
        Assert.Equal("1001", (await WhoAmIAsync(app, "/whoami?sudo=uid:1001", token)).Sub);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(app, "/whoami?sudo=uid:1001", withoutSudo)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(app, "/whoami?sudo=uid:1", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(app, "/whoami?sudo=uid:1", token)).StatusCode);

        Assert.Equal(2, users.Finds); // uid:1001 once, uid:1 once
        Assert.Equal(4, users.Checks); // CanImpersonateAsync on every request that found a user
        Assert.Equal(2, events);
        app.Time.Advance(TimeSpan.FromSeconds(10));
        await WhoAmIAsync(app, "/whoami?sudo=uid:1001", token);
        Assert.Equal(3, users.Finds);
    }

    [Fact]
    public async Task Sudo_SameUidInAnotherTenant_IsAnotherEntry()
    {
        await using var app = await StartAsync();
        var token = await TokenAsync(app);

        var acme = await WhoAmIAsync(app, "/whoami?sudo=uid:1001&tenantId=t-100", token);
        var globex = await WhoAmIAsync(app, "/whoami?sudo=uid:1001&tenantId=t-200", token);
        var acmeAgain = await WhoAmIAsync(app, "/whoami?sudo=uid:1001&tenantId=t-100", token);

        Assert.Equal("Alice", acme.Name);
        Assert.Equal("Alice of Globex", globex.Name);
        Assert.Equal("Alice", acmeAgain.Name);
        Assert.Equal(2, app.Services.GetRequiredService<CountingUserStore>().Finds);
    }

    [Fact]
    public async Task Sudo_UserNotFound_IsNotCached()
    {
        await using var app = await StartAsync();
        var token = await TokenAsync(app);

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(app, "/whoami?sudo=uid:4040", token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(app, "/whoami?sudo=uid:4040", token)).StatusCode);

        Assert.Equal(2, app.Services.GetRequiredService<CountingUserStore>().Finds);
    }

    // ---- eviction (what the revocation messages call) -----------------------------------------------------------

    [Fact]
    public async Task Evict_OneTenantOneUserOrEverything_TheNextRequestAsksTheStore()
    {
        await using var app = await StartAsync();
        var tenants = app.Services.GetRequiredService<CountingTenantStore>();
        var users = app.Services.GetRequiredService<CountingUserStore>();
        var cache = app.Services.GetRequiredService<ImpersonationCache>();
        var token = await TokenAsync(app);
        async Task RoundAsync()
        {
            await WhoAmIAsync(app, "/whoami?sudo=loginName:alice&tenantCode=acme", token);
            await WhoAmIAsync(app, "/whoami?sudo=uid:1002&tenantId=t-200", token);
        }

        await RoundAsync();
        await RoundAsync();
        Assert.Equal((2, 2), (tenants.Calls, users.Finds));

        cache.EvictTenant("t-100");   // looked up by code "acme": found by the tenant's id all the same
        await RoundAsync();
        Assert.Equal((3, 2), (tenants.Calls, users.Finds));

        cache.EvictUser("1001");      // looked up by loginName: found by the user's id
        await RoundAsync();
        Assert.Equal((3, 3), (tenants.Calls, users.Finds));

        cache.Clear();
        await RoundAsync();
        Assert.Equal((5, 5), (tenants.Calls, users.Finds));
    }

    [Fact]
    public void LookupCache_EvictionWhileALookupIsInFlight_ItsAnswerIsNotKept()
    {
        var cache = new LookupCache<string, TenantInfo>(100, new FakeTimeProvider());
        var generation = cache.Generation;   // read before asking the store

        cache.RemoveWhere((_, t) => t.Id == "t-100");   // the revocation message arrives meanwhile
        cache.Set("acme", new TenantInfo("t-100", "acme"), TimeSpan.FromSeconds(30), generation);

        Assert.False(cache.TryGet("acme", TimeSpan.FromSeconds(30), out _));
    }

    [Fact]
    public void LookupCache_BoundedInSize()
    {
        var time = new FakeTimeProvider();
        var cache = new LookupCache<string, TenantInfo>(50, time);

        for (var i = 0; i < 1000; i++)
        {
            cache.Set("code-" + i, new TenantInfo("t-" + i, "code-" + i), TimeSpan.FromSeconds(30), cache.Generation);
            Assert.True(cache.Count <= 50, $"{cache.Count} entries after {i + 1} inserts");
        }

        Assert.True(cache.TryGet("code-999", TimeSpan.FromSeconds(30), out _), "The newest entry is kept.");
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(cache.TryGet("code-999", TimeSpan.FromSeconds(30), out _));
    }

    // ---- deadlines and circuits of the stores ------------------------------------------------------------------

    [Fact]
    public async Task TenantStoreHangs_503AtTheDeadline_NotBefore()
    {
        await using var app = await StartAsync();
        var tenants = app.Services.GetRequiredService<CountingTenantStore>();
        var token = await TokenAsync(app);
        tenants.Hang = new TaskCompletionSource();

        var pending = SendAsync(app, "/whoami?tenantCode=acme", token);
        await WaitUntilAsync(() => tenants.Calls == 1);
        app.Time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(await CompletesWithinAsync(pending, TimeSpan.FromMilliseconds(100)), "answered before the deadline");
        app.Time.Advance(TimeSpan.FromMilliseconds(1));
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("5", Assert.Single(response.Headers.GetValues("Retry-After")));
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "BackendTimedOut" && e.Text.Contains("tenant store", StringComparison.Ordinal));
        tenants.Hang.SetResult();
    }

    [Fact]
    public async Task SudoUserStoreHangs_503AtTheDeadline()
    {
        await using var app = await StartAsync();
        var users = app.Services.GetRequiredService<CountingUserStore>();
        var token = await TokenAsync(app);
        users.Hang = new TaskCompletionSource();

        var pending = SendAsync(app, "/whoami?sudo=uid:1001", token);
        await WaitUntilAsync(() => users.Finds == 1);
        app.Time.Advance(TimeSpan.FromSeconds(2));
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "BackendTimedOut" && e.Text.Contains("sudo user store", StringComparison.Ordinal));
        users.Hang.SetResult();
    }

    [Fact]
    public async Task TenantStoreDown_CircuitOpens_FailsFastWithRestOfBreak_RequestsWithoutTenantUnaffected_ProbeCloses()
    {
        await using var app = await StartAsync();
        var tenants = app.Services.GetRequiredService<CountingTenantStore>();
        var token = await TokenAsync(app);
        tenants.FailNext = 5;

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await SendAsync(app, "/whoami?tenantCode=acme", token)).StatusCode);
        }

        app.Time.Advance(TimeSpan.FromSeconds(2));
        using var fast = await SendAsync(app, "/whoami?tenantCode=acme", token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, fast.StatusCode);
        Assert.Equal("3", Assert.Single(fast.Headers.GetValues("Retry-After")));
        Assert.Equal(5, tenants.Calls);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, "/whoami", token)).StatusCode);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "BackendCircuitOpened" && e.Text.Contains("tenant store", StringComparison.Ordinal));

        app.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("t-100", (await WhoAmIAsync(app, "/whoami?tenantCode=acme", token)).FeatureTenantId);
        Assert.Equal(6, tenants.Calls);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "BackendCircuitClosed");
    }

    [Fact]
    public async Task TokenStoreHangs_ProtectedAnswers503_AnonymousRunsAnonymously_BothAtTheDeadline()
    {
        var store = new HangingTokenStore();
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<ITokenStore>(store));

        var protectedCall = app.Client.SendAsync(TestApp.Get("/protected", "some-opaque-token"));
        var anonymousCall = app.Client.SendAsync(TestApp.Get("/anonymous", "some-opaque-token"));
        await WaitUntilAsync(() => store.Calls == 2);
        Assert.False(await CompletesWithinAsync(Task.WhenAny(protectedCall, anonymousCall), TimeSpan.FromMilliseconds(100)));
        app.Time.Advance(TimeSpan.FromSeconds(2));
        using var protectedResponse = await protectedCall.WaitAsync(TimeSpan.FromSeconds(10));
        using var anonymousResponse = await anonymousCall.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, protectedResponse.StatusCode);
        Assert.NotNull(protectedResponse.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, anonymousResponse.StatusCode);
        Assert.False(JsonDocument.Parse(await anonymousResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("authenticated").GetBoolean());
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static Task<TestApp> StartAsync(Action<TokenAuthOptions>? configure = null)
        => TestApp.StartAsync(
            o =>
            {
                o.UseTokenStore = true;
                configure?.Invoke(o);
            },
            s =>
            {
                s.AddSingleton<CountingTenantStore>();
                s.AddSingleton<CountingUserStore>();
                s.AddSingleton<ITenantStore>(sp => sp.GetRequiredService<CountingTenantStore>());
                s.AddSingleton<ISudoUserStore>(sp => sp.GetRequiredService<CountingUserStore>());
            },
            SudoEndpoints.Map);

    private static Task<string> TokenAsync(TestApp app, string[]? scopes = null, string? tenantId = null)
        => app.IssueAsync(new TokenInfo { Subject = "admin-7", ClientId = "ops-client", Scopes = scopes ?? ["read", "sudo"], TenantId = tenantId });

    private static Task<HttpResponseMessage> SendAsync(TestApp app, string path, string token) => app.Client.SendAsync(TestApp.Get(path, token));

    private static async Task<WhoAmI> WhoAmIAsync(TestApp app, string path, string token)
    {
        using var response = await SendAsync(app, path, token);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<WhoAmI>(body, JsonSerializerOptions.Web)!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not become true within 5 s.");
            await Task.Delay(10);
        }
    }

    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan wait) => await Task.WhenAny(task, Task.Delay(wait)) == task;

    /// <summary><see cref="TestTenantStore"/>, counted, and able to fail or hang on demand.</summary>
    public sealed class CountingTenantStore : ITenantStore
    {
        private readonly TestTenantStore _inner = new();
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public int FailNext { get; set; }

        public TaskCompletionSource? Hang { get; set; }

        public ValueTask<TenantInfo?> FindByIdAsync(string id, CancellationToken cancellationToken) => CallAsync(() => _inner.FindByIdAsync(id, cancellationToken));

        public ValueTask<TenantInfo?> FindByCodeAsync(string code, CancellationToken cancellationToken) => CallAsync(() => _inner.FindByCodeAsync(code, cancellationToken));

        private async ValueTask<TenantInfo?> CallAsync(Func<ValueTask<TenantInfo?>> find)
        {
            Interlocked.Increment(ref _calls);
            if (Hang is { } hang)
            {
                await hang.Task;
            }

            if (FailNext > 0)
            {
                FailNext--;
                throw new HttpRequestException("tenant service unreachable");
            }

            return await find();
        }
    }

    /// <summary><see cref="TestUserStore"/>, with its finds and its impersonation checks counted, and able to hang.</summary>
    public sealed class CountingUserStore : ISudoUserStore
    {
        private readonly TestUserStore _inner = new();
        private int _finds, _checks;

        public int Finds => Volatile.Read(ref _finds);

        public int Checks => Volatile.Read(ref _checks);

        public TaskCompletionSource? Hang { get; set; }

        public async ValueTask<SudoUser?> FindUserAsync(SudoTarget target, TenantInfo? tenant, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _finds);
            if (Hang is { } hang)
            {
                await hang.Task;
            }

            return await _inner.FindUserAsync(target, tenant, cancellationToken);
        }

        public ValueTask<bool> CanImpersonateAsync(ClaimsPrincipal caller, SudoUser user, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _checks);
            return _inner.CanImpersonateAsync(caller, user, cancellationToken);
        }
    }

    /// <summary>A token store that never answers and ignores cancellation, as a hung Redis behind RedisCache.</summary>
    private sealed class HangingTokenStore : ITokenStore
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task SaveAsync(TokenHash hash, TokenInfo info, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<TokenInfo?> FindAsync(TokenHash hash, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return new TaskCompletionSource<TokenInfo?>().Task;
        }

        public Task RemoveAsync(TokenHash hash, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
