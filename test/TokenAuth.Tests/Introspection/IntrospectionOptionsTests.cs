using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Introspection.ResourceServer;

namespace TokenAuth.Tests.Introspection;

/// <summary>Introspection is configuration: bound from <c>Authentication:Schemes:TokenAuth:Introspection</c>, and checked at start-up.</summary>
public sealed class IntrospectionOptionsTests
{
    private const string Section = "Authentication:Schemes:TokenAuth:Introspection:";

    public static TheoryData<string, Action<IntrospectionOptions>> BadOptions => new()
    {
        { "Introspection.Endpoint", o => o.Endpoint = "not a uri" },
        { "Introspection.Endpoint", o => o.Endpoint = "ftp://as.example/introspect" },
        { "Introspection.RequireHttps", o => o.Endpoint = "http://as.example/introspect" },
        { "Introspection.Authority", o => o.Authority = "as.example" },
        { "Introspection.ClientSecret", o => { o.Endpoint = "https://as.example/i"; o.ClientSecret = "s"; } },
        { "Introspection.Timeout", o => { o.Endpoint = "https://as.example/i"; o.Timeout = TimeSpan.Zero; } },
        { "Introspection.AttemptTimeout", o => { o.Endpoint = "https://as.example/i"; o.AttemptTimeout = TimeSpan.FromSeconds(10); } },
        { "Introspection.MaxRetryAttempts", o => { o.Endpoint = "https://as.example/i"; o.MaxRetryAttempts = 11; } },
        { "Introspection.CacheDuration", o => { o.Endpoint = "https://as.example/i"; o.CacheDuration = TimeSpan.FromSeconds(-1); } },
        { "Introspection.InactiveCacheDuration", o => { o.Endpoint = "https://as.example/i"; o.InactiveCacheDuration = TimeSpan.FromDays(2); } },
        { "Introspection.DiscoveryRefreshInterval", o => { o.Authority = "https://as.example"; o.DiscoveryRefreshInterval = TimeSpan.Zero; } },
        { "Introspection.CircuitBreaker.FailureRatio", o => { o.Endpoint = "https://as.example/i"; o.CircuitBreaker.FailureRatio = 0; } },
        { "Introspection.CircuitBreaker.MinimumThroughput", o => { o.Endpoint = "https://as.example/i"; o.CircuitBreaker.MinimumThroughput = 1; } },
        { "Introspection.CircuitBreaker.BreakDuration", o => { o.Endpoint = "https://as.example/i"; o.CircuitBreaker.BreakDuration = TimeSpan.FromMilliseconds(100); } },
        { "Introspection.ClientAuthentication", o => { o.Endpoint = "https://as.example/i"; o.ClientAuthentication = (IntrospectionClientAuthentication)7; } },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Startup_BadOption_HostDoesNotStartAndNamesIt(string property, Action<IntrospectionOptions> configure)
    {
        var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => TestApp.StartAsync(o => configure(o.Introspection)));

        Assert.Contains(property, ex.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_NothingConfigured_NamesIntrospectionAmongTheChoices()
    {
        var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => TestApp.StartAsync(_ => { }));

        Assert.Contains("Introspection.Endpoint or Introspection.Authority", ex.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_BadJwtCacheDuration_NamesIt()
    {
        var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Jwt.TokenValidationParameters.IssuerSigningKey = new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(new byte[32]);
            o.Jwt.TokenValidationParameters.ValidateIssuer = false;
            o.Jwt.TokenValidationParameters.ValidateAudience = false;
            o.Jwt.CacheValidatedTokens = true;
            o.Jwt.CacheDuration = TimeSpan.Zero;
        }));

        Assert.Contains("Jwt.CacheDuration", ex.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_BindsEveryIntrospectionSetting_AndConfigurationAloneTurnsItOn()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await TestApp.StartAsync(
            configure: _ => { },
            host: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [Section + "Endpoint"] = authority.IntrospectionEndpoint,
                [Section + "ClientId"] = IntrospectionAuthority.ResourceClientId,
                [Section + "ClientSecret"] = IntrospectionAuthority.ResourceClientSecret,
                [Section + "ClientAuthentication"] = "Body",
                [Section + "TokenTypeHint"] = "",
                [Section + "CacheDuration"] = "00:02:00",
                [Section + "InactiveCacheDuration"] = "00:00:03",
                [Section + "Timeout"] = "00:00:04",
                [Section + "AttemptTimeout"] = "00:00:02",
                [Section + "MaxRetryAttempts"] = "1",
                [Section + "RetryDelay"] = "00:00:00.010",
                [Section + "RequireHttps"] = "true",
                [Section + "DiscoveryRefreshInterval"] = "00:30:00",
                [Section + "CircuitBreaker:FailureRatio"] = "0.25",
                [Section + "CircuitBreaker:MinimumThroughput"] = "4",
                [Section + "CircuitBreaker:SamplingDuration"] = "00:00:20",
                [Section + "CircuitBreaker:BreakDuration"] = "00:00:09",
            }),
            time: authority.Time);

        var o = Options(app).Introspection;
        Assert.Equal(IntrospectionClientAuthentication.Body, o.ClientAuthentication);
        Assert.Equal(string.Empty, o.TokenTypeHint);
        Assert.Same(IntrospectionProtocols.Rfc7662, o.Protocol);
        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2), 1, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(30)),
            (o.CacheDuration, o.InactiveCacheDuration, o.Timeout, o.AttemptTimeout, o.MaxRetryAttempts, o.RetryDelay, o.DiscoveryRefreshInterval));
        Assert.Equal((0.25, 4, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(9)),
            (o.CircuitBreaker.FailureRatio, o.CircuitBreaker.MinimumThroughput, o.CircuitBreaker.SamplingDuration, o.CircuitBreaker.BreakDuration));

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, await authority.IssueAsync()));
        Assert.Contains("client_secret=", Assert.Single(authority.Requests).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvironmentVariables_WithDoubleUnderscores_TurnIntrospectionOn()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        authority.AuthorizationServerMetadata = authority.Metadata();
        // A prefix of this test's own, so that parallel tests never see these variables.
        var prefix = $"TOKENAUTH_TEST_{Guid.NewGuid():N}_";
        var variables = new Dictionary<string, string>
        {
            [prefix + "Authentication__Schemes__TokenAuth__Introspection__Authority"] = authority.Issuer,
            [prefix + "Authentication__Schemes__TokenAuth__Introspection__ClientId"] = IntrospectionAuthority.ResourceClientId,
            [prefix + "Authentication__Schemes__TokenAuth__Introspection__ClientSecret"] = IntrospectionAuthority.ResourceClientSecret,
            [prefix + "Authentication__Schemes__TokenAuth__Introspection__Protocol"] = "Rfc7662",
        };
        try
        {
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            await using var app = await TestApp.StartAsync(configure: _ => { }, host: b => b.Configuration.AddEnvironmentVariables(prefix), time: authority.Time);

            Assert.Equal(authority.Issuer, Options(app).Introspection.Authority);
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, await authority.IssueAsync()));
        }
        finally
        {
            foreach (var name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    [Theory]
    [InlineData("TokenCheck")]
    [InlineData("tokencheck")]
    public async Task Configuration_ProtocolTokenCheck_PicksSeed001sCheck(string name)
    {
        await using var app = await TestApp.StartAsync(
            configure: _ => { },
            host: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [Section + "Endpoint"] = "https://as.example/api/oauth2/server/tokens/check",
                [Section + "Protocol"] = name,
            }));

        Assert.Same(IntrospectionProtocols.TokenCheck, Options(app).Introspection.Protocol);
    }

    [Fact]
    public async Task Configuration_UnknownProtocol_HostDoesNotStart()
    {
        var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => TestApp.StartAsync(
            configure: _ => { },
            host: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [Section + "Endpoint"] = "https://as.example/introspect",
                [Section + "Protocol"] = "Carrier pigeon",
            })));

        Assert.Contains("Introspection.Protocol", ex.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_EmptyPlaceholders_LeaveIntrospectionOff()
    {
        await using var app = await TestApp.StartAsync(
            configure: _ => { },
            host: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Authentication:Schemes:TokenAuth:UseTokenStore"] = "true",
                [Section + "Authority"] = "",
                [Section + "ClientId"] = "",
                [Section + "ClientSecret"] = " ",
            }));

        Assert.IsType<StoreTokenValidator>(Options(app).Validator);
    }

    [Fact]
    public async Task TwoSchemes_EachGetsItsOwnBackchannel()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await TestApp.StartAsync(
            o =>
            {
                o.Introspection.Endpoint = authority.IntrospectionEndpoint;
                o.Introspection.ClientId = IntrospectionAuthority.ResourceClientId;
                o.Introspection.ClientSecret = IntrospectionAuthority.ResourceClientSecret;
            },
            services: s => s.AddAuthentication().AddTokenAuth("Other", o => o.Introspection.Endpoint = authority.CheckEndpoint),
            time: authority.Time);

        var factory = app.Services.GetRequiredService<IHttpClientFactory>();
        Assert.NotNull(factory.CreateClient("TokenAuth.Introspection.TokenAuth"));
        Assert.NotNull(factory.CreateClient("TokenAuth.Introspection.Other"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, await authority.IssueAsync()));
    }

    private static TokenAuthOptions Options(TestApp app) => app.Services.GetRequiredService<IOptionsMonitor<TokenAuthOptions>>().Get(TokenAuthDefaults.AuthenticationScheme);
}
