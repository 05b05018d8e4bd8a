using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TokenAuth.Tests.Diagnostics;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Impersonation;

/// <summary>
/// What mutation testing (test/mutation.sh, group <c>sudo</c>) found the other sudo and tenant tests did not pin, each
/// through the real pipeline: the impersonation metric's kind and outcome in the cases the metrics test leaves out,
/// <see cref="TenantOptions.Enabled"/> and the tenant-id header, the messages of the 403 and 503 answers, the claims of an
/// impersonated principal, the depth bound on a nested <c>act</c>, and how a tenant value is echoed in a 404.
/// </summary>
public class ImpersonationResolverMutationTests
{
    private const string Caller = "admin-7";

    [Fact]
    public async Task Metrics_OutcomesAndTheSudoHeader_CountedByKindAndOutcome()
    {
        await using var app = await StartAsync(services: s =>
        {
            s.AddSingleton<ISudoUserStore, UnavailableForDownUserStore>();
            s.AddTokenAuthTenants<TestTenantStore>(ServiceLifetime.Singleton);
        });
        using var count = MetricsTests.Collect<long>(app, "tokenauth.impersonation.count");
        var sudo = await SudoTokenAsync(app);
        var plain = await app.IssueAsync(new TokenInfo { Subject = Caller, ClientId = "c", Scopes = ["read"] });

        using var down = await SendAsync(app, "/whoami?sudo=uid:down", sudo);
        using var badHeader = await SendAsync(app, "/whoami", sudo, ("Sudo", "phone:1"));
        using var unknownTenant = await SendAsync(app, "/whoami?tenantId=t-999", sudo);
        using var tenantDenied = await SendAsync(app, "/whoami?tenantId=t-100", plain);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badHeader.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownTenant.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, tenantDenied.StatusCode);
        Assert.Equal(
            new Dictionary<string, long>
            {
                // A failure is a sudo use when the request named a sudo user, in the query or (here) only in the header.
                ["sudo/unavailable"] = 1, ["sudo/invalid_request"] = 1, ["tenant/not_found"] = 1, ["tenant/denied"] = 1,
            },
            MetricsTests.ByTags(count, "tokenauth.impersonation.kind", "tokenauth.result"));
    }

    [Fact]
    public async Task Metrics_SudoSwitchedOff_ATenantUseWithASudoParameterCountsAsTenant()
    {
        // A success is a sudo use only when someone was impersonated: a sudo parameter the host ignores does not make it one.
        await using var app = await StartAsync(o => o.Sudo.Enabled = false);
        using var count = MetricsTests.Collect<long>(app, "tokenauth.impersonation.count");
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1002&tenantId=t-100", token));

        Assert.Equal(Caller, me.Sub);
        Assert.Equal("t-100", me.FeatureTenantId);
        Assert.Equal(new Dictionary<string, long> { ["tenant/success"] = 1 }, MetricsTests.ByTags(count, "tokenauth.impersonation.kind", "tokenauth.result"));
    }

    [Fact]
    public async Task Tenant_SwitchedOff_RegisteredStoreNotAskedAndParametersIgnored()
    {
        var tenants = new CountingTenantStore();
        await using var app = await StartAsync(o => o.Tenants.Enabled = false, s =>
        {
            s.AddTokenAuthSudo<TestUserStore>(ServiceLifetime.Singleton);
            s.AddSingleton<ITenantStore>(tenants);
        });
        var token = await SudoTokenAsync(app);

        var known = await OkAsync(await SendAsync(app, "/whoami?tenantId=t-100", token));
        var unknown = await OkAsync(await SendAsync(app, "/whoami?tenantCode=nowhere", token));

        Assert.Empty(known.TenantIds);
        Assert.Null(known.FeatureTenantId);
        Assert.Null(unknown.FeatureTenantId);
        Assert.Equal(0, tenants.Calls);
    }

    [Fact]
    public async Task Tenant_HeadersOn_TenantIdHeaderAloneScopesTheRequest()
    {
        await using var app = await StartAsync(o => o.Tenants.Headers = true);
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami", token, ("Tenant-Id", "t-200")));

        Assert.Equal("t-200", me.FeatureTenantId);
        Assert.Equal(["globex"], me.TenantCodes);
    }

    [Fact]
    public async Task Refusals_DetailSaysWhy()
    {
        await using var app = await StartAsync(services: s =>
        {
            s.AddSingleton<ISudoUserStore, UnavailableForDownUserStore>();
            s.AddTokenAuthTenants<TestTenantStore>(ServiceLifetime.Singleton);
        });
        var sudo = await SudoTokenAsync(app);
        var plain = await app.IssueAsync(new TokenInfo { Subject = Caller, ClientId = "c", Scopes = ["read"] });

        using var noScope = await SendAsync(app, "/whoami?sudo=uid:1002", plain);
        using var noTenantRight = await SendAsync(app, "/whoami?tenantCode=acme", plain);
        using var down = await SendAsync(app, "/whoami?sudo=uid:down", sudo);

        Assert.Equal("Acting as another user requires the 'sudo' scope.", await DetailAsync(noScope, HttpStatusCode.Forbidden));
        Assert.Equal("Only a token bound to this tenant, or one with the sudo scope, may act in it.", await DetailAsync(noTenantRight, HttpStatusCode.Forbidden));
        Assert.Equal("The user or tenant store is temporarily unavailable.", await DetailAsync(down, HttpStatusCode.ServiceUnavailable));
    }

    [Fact]
    public async Task Sudo_ImpersonatedPrincipal_CarriesLoginNameMobileAndAJsonActClaim()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/claims?sudo=uid:1001", token);
        var claims = await ClaimsAsync(response);

        Assert.Contains(("preferred_username", "alice", ClaimValueTypes.String), claims);
        Assert.Contains(("phone_number", "13800000001", ClaimValueTypes.String), claims);
        var act = Assert.Single(claims, c => c.Type == TokenAuthClaimTypes.Actor);
        // RFC 8693 §4.1: act is a JSON object, and its claim says so, so that a JWT written from the principal keeps it one.
        Assert.Equal("JSON", act.ValueType);
    }

    [Theory]
    [InlineData(8, true)]
    [InlineData(30, false)]
    public async Task Sudo_CallerActClaimNestedDeep_NestedOnlyUpToTheDepthBound(int depth, bool nested)
    {
        // The caller's own act claim, an object nested `depth` deep: kept in the new act up to 16 levels, dropped beyond.
        var previous = string.Concat(Enumerable.Repeat("{\"sub\":\"x\",\"act\":", depth - 1)) + "{\"sub\":\"x\"}" + new string('}', depth - 1);
        await using var app = await StartAsync();
        var token = await app.IssueAsync(new TokenInfo
        {
            Subject = Caller, ClientId = "ops-client", Scopes = ["read", "sudo"], Claims = [new TokenClaim(TokenAuthClaimTypes.Actor, previous)],
        });

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1002", token));

        using var act = JsonDocument.Parse(me.Act!);
        Assert.Equal(Caller, act.RootElement.GetProperty("sub").GetString());
        Assert.Equal(nested, act.RootElement.TryGetProperty("act", out _));
    }

    [Fact]
    public async Task Tenant_UnknownCode_EchoedWithOnlyPrintableAsciiAndNoQuotes()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        // A quote, a backslash and a non-ASCII letter become '?'; a space and '~' (the ends of printable ASCII) are kept.
        using var response = await SendAsync(app, "/whoami?tenantCode=" + Uri.EscapeDataString("a\"b\\c~ é"), token);

        Assert.Equal("Tenant with code 'a?b?c~ ?' not found.", await DetailAsync(response, HttpStatusCode.NotFound));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static Task<TestApp> StartAsync(Action<TokenAuthOptions>? configure = null, Action<IServiceCollection>? services = null)
        => TestApp.StartAsync(
            o =>
            {
                o.UseTokenStore = true;
                configure?.Invoke(o);
            },
            services ?? SudoEndpoints.Stores,
            app =>
            {
                SudoEndpoints.Map(app);
                app.MapGet("/claims", (HttpContext context) => Results.Json(
                    context.User.Claims.Select(c => new[] { c.Type, c.Value, c.ValueType }))).RequireAuthorization();
            });

    private static Task<string> SudoTokenAsync(TestApp app)
        => app.IssueAsync(new TokenInfo { Subject = Caller, ClientId = "ops-client", Scopes = ["read", "sudo"] });

    private static async Task<HttpResponseMessage> SendAsync(TestApp app, string path, string token, params (string Name, string Value)[] headers)
    {
        using var request = TestApp.Get(path, token);
        foreach (var (name, value) in headers)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, value));
        }

        return await app.Client.SendAsync(request);
    }

    private static async Task<WhoAmI> OkAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
            return JsonSerializer.Deserialize<WhoAmI>(body, JsonSerializerOptions.Web)!;
        }
    }

    private static async Task<string?> DetailAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("detail").GetString();
    }

    private static async Task<List<(string Type, string Value, string ValueType)>> ClaimsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = JsonSerializer.Deserialize<string[][]>(await response.Content.ReadAsStringAsync())!;
        return [.. rows.Select(r => (r[0], r[1], r[2]))];
    }

    /// <summary><see cref="TestUserStore"/>, except that a lookup of the uid <c>down</c> fails as an unreachable directory would.</summary>
    private sealed class UnavailableForDownUserStore : ISudoUserStore
    {
        private readonly TestUserStore _users = new();

        public ValueTask<SudoUser?> FindUserAsync(SudoTarget target, TenantInfo? tenant, CancellationToken cancellationToken)
            => target.Value == "down"
                ? ValueTask.FromException<SudoUser?>(new HttpRequestException("user directory unreachable"))
                : _users.FindUserAsync(target, tenant, cancellationToken);

        public ValueTask<bool> CanImpersonateAsync(ClaimsPrincipal caller, SudoUser user, CancellationToken cancellationToken)
            => _users.CanImpersonateAsync(caller, user, cancellationToken);
    }

    /// <summary>A tenant store that knows every tenant and counts how often it is asked.</summary>
    private sealed class CountingTenantStore : ITenantStore
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public ValueTask<TenantInfo?> FindByIdAsync(string id, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return ValueTask.FromResult<TenantInfo?>(new TenantInfo(id, id, id));
        }

        public ValueTask<TenantInfo?> FindByCodeAsync(string code, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return ValueTask.FromResult<TenantInfo?>(new TenantInfo(code, code, code));
        }
    }
}
