using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Impersonation;

/// <summary>
/// The sudo and tenant options (<see cref="SudoOptions"/>, <see cref="TenantOptions"/>): a host with a bad value does not
/// start and the message names the option; each bound, on its good side, starts and works; configuration binds them; and
/// the allow-all default of <see cref="ISudoUserStore.CanImpersonateAsync"/> is what it says.
/// </summary>
public sealed class SudoTenantOptionsTests
{
    private const string Section = "Authentication:Schemes:TokenAuth:";

    public static TheoryData<string, Action<TokenAuthOptions>> BadOptions => new()
    {
        { "Sudo.Scope must not be empty", o => o.Sudo.Scope = "" },
        { "Sudo.QueryName must not be empty", o => o.Sudo.QueryName = " " },
        { "Sudo.HeaderName must not be empty", o => o.Sudo.HeaderName = "" },
        { "Sudo.MaxValueLength must be between 1 and 4096; it is 0", o => o.Sudo.MaxValueLength = 0 },
        { "Sudo.MaxValueLength must be between 1 and 4096; it is 4097", o => o.Sudo.MaxValueLength = 4097 },
        { "Tenants.IdQueryName must not be empty", o => o.Tenants.IdQueryName = "" },
        { "Tenants.CodeQueryName must not be empty", o => o.Tenants.CodeQueryName = "\t" },
        { "Tenants.IdHeaderName must not be empty", o => o.Tenants.IdHeaderName = "" },
        { "Tenants.CodeHeaderName must not be empty", o => o.Tenants.CodeHeaderName = " " },
        { "Sudo must not be null", o => o.Sudo = null! },
        { "Tenants must not be null", o => o.Tenants = null! },
        // One name, one meaning: a token read as a sudo value, a tenant named twice, sudo in the Authorization header.
        { "Sudo.QueryName 'access_token' is also Sources.QueryName", o => o.Sudo.QueryName = "access_token" },
        { "Sudo.QueryName 'Access_Token' is also Sources.QueryName", o => o.Sudo.QueryName = "Access_Token" },
        { "Tenants.CodeQueryName 'tenantId' is also Tenants.IdQueryName", o => o.Tenants.CodeQueryName = "tenantId" },
        { "Tenants.IdQueryName 'sudo' is also Sudo.QueryName", o => o.Tenants.IdQueryName = "sudo" },
        { "Sudo.HeaderName 'authorization' is also Sources.AuthorizationHeader", o => o.Sudo.HeaderName = "authorization" },
        { "Sudo.HeaderName 'Access-Token' is also Sources.HeaderNames", o => o.Sudo.HeaderName = "Access-Token" },
        { "Tenants.IdHeaderName 'sudo' is also Sudo.HeaderName", o => { o.Tenants.Headers = true; o.Tenants.IdHeaderName = "sudo"; } },
        { "Tenants.CodeHeaderName 'Tenant-Id' is also Tenants.IdHeaderName", o => { o.Tenants.Headers = true; o.Tenants.CodeHeaderName = "Tenant-Id"; } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Startup_BadOption_HostDoesNotStartAndNamesIt(string expected, Action<TokenAuthOptions> configure)
    {
        var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => StartAsync(configure));

        Assert.Contains(expected, ex.GetBaseException().Message, StringComparison.Ordinal);
    }

    /// <summary>The good side of each rule: the host starts, and a sudo request with a tenant still works.</summary>
    public static TheoryData<string, Action<TokenAuthOptions>> BoundaryOptions => new()
    {
        { "the longest sudo value", o => o.Sudo.MaxValueLength = 4096 },
        { "renamed sudo and tenant parameters", o => { o.Sudo.QueryName = "act_as"; o.Tenants.IdQueryName = "tid"; o.Tenants.CodeQueryName = "tcode"; } },
        // A name that is not read does not collide.
        { "the token's query name for sudo, the query source off", o => { o.Sources.Query = false; o.Sudo.QueryName = "access_token"; } },
        { "sudo's header name for the tenant, tenant headers off", o => o.Tenants.IdHeaderName = "Sudo" },
        { "the tenant's query name for sudo, sudo's query off", o => { o.Sudo.Query = false; o.Sudo.QueryName = "tenantCode"; } },
        { "a header source name for sudo, the header source off", o => { o.Sources.Header = false; o.Sudo.HeaderName = "Access-Token"; } },
        { "Authorization for sudo, the Authorization source off", o => { o.Sources.AuthorizationHeader = false; o.Sudo.HeaderName = "Authorization"; } },
        { "sudo disabled, its names those of the tenants", o => { o.Sudo.Enabled = false; o.Sudo.QueryName = "tenantId"; o.Sudo.HeaderName = "Tenant-Id"; } },
        { "tenants disabled, their names those of sudo", o => { o.Tenants.Enabled = false; o.Tenants.IdQueryName = "sudo"; o.Tenants.CodeQueryName = "sudo"; } },
    };

    [Theory]
    [MemberData(nameof(BoundaryOptions))]
    public async Task Startup_BoundaryOption_StartsAndServesSudo(string boundary, Action<TokenAuthOptions> configure)
    {
        await using var app = await StartAsync(configure);
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<TokenAuthOptions>>().Get(TokenAuthDefaults.AuthenticationScheme);
        var token = await SudoTokenAsync(app);
        var query = new List<string>();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/whoami");
        // The token where the options read it; the tenant in the query; sudo in the query or, with that off, the header.
        request.Headers.Add(options.Sources.AuthorizationHeader ? "Authorization" : "Access-Token", options.Sources.AuthorizationHeader ? "Bearer " + token : token);
        if (options.Tenants.Enabled)
        {
            query.Add(options.Tenants.CodeQueryName + "=globex");
        }

        if (options.Sudo.Enabled && options.Sudo.Query)
        {
            query.Add(options.Sudo.QueryName + "=uid:1002");
        }
        else if (options.Sudo.Enabled)
        {
            request.Headers.Add(options.Sudo.HeaderName, "uid:1002");
        }

        request.RequestUri = new Uri("/whoami?" + string.Join('&', query), UriKind.Relative);

        using var response = await app.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{boundary}: {(int)response.StatusCode} {body}");
        using var me = JsonDocument.Parse(body);
        Assert.Equal(options.Sudo.Enabled ? "1002" : "admin-7", me.RootElement.GetProperty("sub").GetString());
    }

    [Theory]
    [InlineData(1, "uid:7", HttpStatusCode.OK)]
    [InlineData(1, "uid:12", HttpStatusCode.BadRequest)]
    [InlineData(4, "uid:1001", HttpStatusCode.OK)]
    [InlineData(4, "uid:10011", HttpStatusCode.BadRequest)]
    public async Task Sudo_MaxValueLength_IsTheLongestValueAccepted(int maxValueLength, string sudo, HttpStatusCode expected)
    {
        await using var app = await StartAsync(o => o.Sudo.MaxValueLength = maxValueLength);

        using var response = await app.Client.SendAsync(TestApp.Get("/whoami?sudo=" + sudo, await SudoTokenAsync(app)));

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Configuration_BindsSudoAndTenants()
    {
        await using var app = await StartAsync(
            configure: null,
            configuration: new()
            {
                [Section + "Sudo:Scope"] = "impersonate",
                [Section + "Sudo:QueryName"] = "act_as",
                [Section + "Sudo:Header"] = "false",
                [Section + "Sudo:AllowUsernameAlias"] = "false",
                [Section + "Sudo:MaxValueLength"] = "64",
                [Section + "Sudo:CacheDuration"] = "00:00:00",
                [Section + "Tenants:IdQueryName"] = "tid",
                [Section + "Tenants:Headers"] = "true",
                [Section + "Tenants:CodeHeaderName"] = "X-Tenant",
                [Section + "Tenants:CacheDuration"] = "00:01:00",
            });
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<TokenAuthOptions>>().Get(TokenAuthDefaults.AuthenticationScheme);
        var token = await app.IssueAsync(new TokenInfo { Subject = "admin-7", Scopes = ["read", "impersonate"] });
        using var request = TestApp.Get("/whoami?act_as=uid:1002", token);
        request.Headers.Add("X-Tenant", "globex");

        using var response = await app.Client.SendAsync(request);
        using var me = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1002", me.RootElement.GetProperty("sub").GetString());
        Assert.Equal("t-200", me.RootElement.GetProperty("featureTenantId").GetString());
        Assert.False(options.Sudo.Header);
        Assert.False(options.Sudo.AllowUsernameAlias);
        Assert.Equal(64, options.Sudo.MaxValueLength);
        Assert.Equal(TimeSpan.Zero, options.Sudo.CacheDuration);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Tenants.CacheDuration);
        Assert.True(options.Sudo.Enabled);
        Assert.Equal("tenantCode", options.Tenants.CodeQueryName);
    }

    [Theory]
    [InlineData("Sudo:MaxValueLength", "0", "Sudo.MaxValueLength")]
    [InlineData("Sudo:HeaderName", " ", "Sudo.HeaderName")]
    [InlineData("Tenants:CodeQueryName", "tenantId", "Tenants.CodeQueryName 'tenantId' is also Tenants.IdQueryName")]
    [InlineData("Tenants:CacheDuration", "-00:00:01", "Tenants.CacheDuration")]
    public async Task Configuration_BadValue_HostDoesNotStartAndNamesIt(string key, string value, string expected)
    {
        var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => StartAsync(configure: null, configuration: new() { [Section + key] = value }));

        Assert.Contains(expected, ex.GetBaseException().Message, StringComparison.Ordinal);
    }

    // ---- CanImpersonateAsync's default ---------------------------------------------------------------------------

    [Fact]
    public async Task CanImpersonate_DefaultImplementation_AllowsEveryFoundUser_AdministratorsIncluded()
    {
        // ISudoUserStore documents that its default allows every user the store finds: the sudo scope is then the only
        // gate, and a token with it may act as an administrator. TestUserStore refuses admins; this store keeps the default.
        await using var app = await StartAsync(services: s => s.AddTokenAuthSudo<FindOnlyUserStore>(ServiceLifetime.Singleton));
        var token = await SudoTokenAsync(app);

        using var response = await app.Client.SendAsync(TestApp.Get("/whoami?sudo=loginName:root", token));
        using var me = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", me.RootElement.GetProperty("sub").GetString());
        Assert.Equal(["admin"], me.RootElement.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("admin-7", me.RootElement.GetProperty("actorSub").GetString());
    }

    [Fact]
    public async Task CanImpersonate_DefaultImplementation_StillNeedsTheSudoScope()
    {
        await using var app = await StartAsync(services: s => s.AddTokenAuthSudo<FindOnlyUserStore>(ServiceLifetime.Singleton));
        var token = await app.IssueAsync(new TokenInfo { Subject = "admin-7", Scopes = ["read", "write"] });

        using var response = await app.Client.SendAsync(TestApp.Get("/whoami?sudo=loginName:root", token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task CanImpersonate_DefaultInterfaceMethod_AnswersTrue()
    {
        ISudoUserStore store = new FindOnlyUserStore();
        var root = TestUserStore.Users.Single(u => u.Id == "1");

        Assert.True(await store.CanImpersonateAsync(new ClaimsPrincipal(), root, CancellationToken.None));
    }

    /// <summary>The deterministic users of <see cref="TestUserStore"/>, without its refusal of administrators.</summary>
    private sealed class FindOnlyUserStore : ISudoUserStore
    {
        private readonly TestUserStore _users = new();

        public ValueTask<SudoUser?> FindUserAsync(SudoTarget target, TenantInfo? tenant, CancellationToken cancellationToken)
            => _users.FindUserAsync(target, tenant, cancellationToken);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static Task<TestApp> StartAsync(
        Action<TokenAuthOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        Dictionary<string, string?>? configuration = null)
        => TestApp.StartAsync(
            o =>
            {
                o.UseTokenStore = true;
                configure?.Invoke(o);
            },
            services ?? SudoEndpoints.Stores,
            SudoEndpoints.Map,
            host: configuration is null ? null : b => b.Configuration.AddInMemoryCollection(configuration));

    private static Task<string> SudoTokenAsync(TestApp app)
        => app.IssueAsync(new TokenInfo { Subject = "admin-7", ClientId = "ops-client", Scopes = ["read", "sudo"] });
}
