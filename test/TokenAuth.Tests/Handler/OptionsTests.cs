using System.Net;
using Microsoft.Extensions.Configuration;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Handler;

public class OptionsTests
{
    public static TheoryData<string, Action<TokenAuthOptions>> BadOptions => new()
    {
        { "Validator", _ => { } },
        { "MaxTokenLength", o => { o.UseTokenStore = true; o.MaxTokenLength = 4; } },
        { "RetryAfter", o => { o.UseTokenStore = true; o.RetryAfter = TimeSpan.Zero; } },
        { "Sources.Order", o => { o.UseTokenStore = true; o.Sources.Order = null!; } },
        { "Sources.Order lists 'Event'", o => { o.UseTokenStore = true; o.Sources.Order = [TokenSource.Query, TokenSource.Event]; } },
        { "Sources.HeaderNames", o => { o.UseTokenStore = true; o.Sources.HeaderNames = []; } },
        { "Sources.QueryName", o => { o.UseTokenStore = true; o.Sources.QueryName = " "; } },
        { "Sources.FormName", o => { o.UseTokenStore = true; o.Sources.FormName = ""; } },
        { "Sources.AuthorizationScheme", o => { o.UseTokenStore = true; o.Sources.AuthorizationScheme = ""; } },
        { "Sources.MaxFormBodyLength", o => { o.UseTokenStore = true; o.Sources.MaxFormBodyLength = 0; } },
        { "Sources.MaxFormBodyLength must be between 1 and 16777216", o => { o.UseTokenStore = true; o.Sources.MaxFormBodyLength = 16 * 1024 * 1024 + 1; } },
        { "MaxTokenLength must be between 16 and 1048576; it is 1048577", o => { o.UseTokenStore = true; o.MaxTokenLength = 1024 * 1024 + 1; } },
        { "StoreCacheDuration must not be negative", o => { o.UseTokenStore = true; o.StoreCacheDuration = TimeSpan.FromTicks(-1); } },
        { "Sources must not be null", o => { o.UseTokenStore = true; o.Sources = null!; } },
        { "Jwt must not be null", o => { o.UseTokenStore = true; o.Jwt = null!; } },
        { "Introspection must not be null", o => { o.UseTokenStore = true; o.Introspection = null!; } },
        { "CircuitBreaker must not be null", o => { o.UseTokenStore = true; o.CircuitBreaker = null!; } },
        { "Jwt.Authority must be an absolute URI", o => { o.Jwt.Authority = "login.example.com"; o.Jwt.RequireHttpsMetadata = false; o.Jwt.TokenValidationParameters.ValidAudience = "api"; } },
        { "MaxTokenLength must be between 16 and 1048576; it is 15", o => { o.UseTokenStore = true; o.MaxTokenLength = 15; } },
        { "Jwt.TokenValidationParameters.ValidAudience (or ValidAudiences) must be set", o => { o.Jwt.TokenValidationParameters.IssuerSigningKey = new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(new byte[32]); o.Jwt.TokenValidationParameters.ValidIssuer = "i"; } },
    };

    /// <summary>The good side of each bound of <see cref="BadOptions"/>: the host starts and validates a token.</summary>
    public static TheoryData<string, Action<TokenAuthOptions>> BoundaryOptions => new()
    {
        { "a MaxTokenLength of exactly the token's 43 characters", o => o.MaxTokenLength = 43 },
        { "the longest MaxTokenLength", o => o.MaxTokenLength = 1024 * 1024 },
        { "a one-byte form body", o => o.Sources.MaxFormBodyLength = 1 },
        { "a 16 MiB form body", o => o.Sources.MaxFormBodyLength = 16 * 1024 * 1024 },
        { "no store cache", o => o.StoreCacheDuration = TimeSpan.Zero },
        { "a one-tick RetryAfter", o => o.RetryAfter = TimeSpan.FromTicks(1) },
        { "only the Authorization header listed", o => o.Sources.Order = [TokenSource.AuthorizationHeader] },
        { "an empty order (the default one)", o => o.Sources.Order = [] },
        { "empty names of switched-off sources", o => { o.Sources.Header = false; o.Sources.HeaderNames = []; o.Sources.Query = false; o.Sources.QueryName = ""; o.Sources.Form = false; o.Sources.FormName = ""; } },
    };

    [Theory]
    [MemberData(nameof(BoundaryOptions))]
    public async Task Startup_BoundaryOption_StartsAndValidates(string boundary, Action<TokenAuthOptions> configure)
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            configure(o);
        });

        var response = await app.Client.SendAsync(TestApp.Get("/protected", await app.IssueAsync()));

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{boundary}: {(int)response.StatusCode}");
    }

    [Theory]
    [InlineData("Sources:Order", "Header Cookie", "Sources.Order: 'Cookie' is not a token source")]
    [InlineData("Sources:Order", "7", "Sources.Order: '7' is not a token source")]
    [InlineData("Jwt:SymmetricKeys:0", "not base64!", "Jwt.SymmetricKeys holds a key that is not base64")]
    [InlineData("Jwt:SymmetricKeys:0", "AAAAAAAAAAAAAAAAAAAAAA==", "symmetric key shorter than 256 bits")]
    [InlineData("Introspection:Protocol", "Soap", "Introspection.Protocol must be Rfc7662 or TokenCheck; it is 'Soap'")]
    [InlineData("MaxTokenLength", "8", "MaxTokenLength must be between 16 and 1048576; it is 8")]
    public async Task Configuration_BadValue_HostDoesNotStartAndNamesIt(string key, string value, string expected)
    {
        var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => TestApp.StartAsync(
            configure: _ => { },
            host: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Authentication:Schemes:TokenAuth:UseTokenStore"] = "true",
                ["Authentication:Schemes:TokenAuth:Jwt:ValidateIssuer"] = "false",
                ["Authentication:Schemes:TokenAuth:Jwt:ValidateAudience"] = "false",
                ["Authentication:Schemes:TokenAuth:" + key] = value,
            })));

        Assert.Contains(expected, ex.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Startup_BadOption_HostDoesNotStartAndNamesIt(string property, Action<TokenAuthOptions> configure)
    {
        // AddScheme validates through TokenAuthOptions.Validate() at start-up (ValidateOnStart).
        var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => TestApp.StartAsync(configure));

        Assert.Contains(property, ex.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_BindsFromAuthenticationSchemesSection()
    {
        await using var app = await TestApp.StartAsync(
            configure: _ => { },
            host: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Authentication:Schemes:TokenAuth:UseTokenStore"] = "true",
                ["Authentication:Schemes:TokenAuth:Realm"] = "cfg",
                ["Authentication:Schemes:TokenAuth:Sources:Query"] = "false",
                ["Authentication:Schemes:TokenAuth:Sources:HeaderNames:0"] = "X-Api-Token",
            }));
        var token = await app.IssueAsync();

        var byQuery = await app.Client.GetAsync("/protected?access_token=" + token);
        var byOldHeader = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/protected") { Headers = { { "Access-Token", token } } });
        var byNewHeader = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/protected") { Headers = { { "X-Api-Token", token } } });

        Assert.Equal(HttpStatusCode.Unauthorized, byQuery.StatusCode);
        Assert.Equal("Bearer realm=\"cfg\"", Http.Challenge(byQuery));
        Assert.Equal(HttpStatusCode.Unauthorized, byOldHeader.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byNewHeader.StatusCode);
    }

    [Fact]
    public async Task Configuration_CodeOverridesConfiguration()
    {
        await using var app = await TestApp.StartAsync(
            configure: o => o.Sources.Query = true,
            host: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Authentication:Schemes:TokenAuth:UseTokenStore"] = "true",
                ["Authentication:Schemes:TokenAuth:Sources:Query"] = "false",
            }));
        var token = await app.IssueAsync();

        var response = await app.Client.GetAsync("/protected?access_token=" + token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
