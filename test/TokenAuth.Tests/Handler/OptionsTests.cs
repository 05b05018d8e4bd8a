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
        { "Sources.Order", o => { o.UseTokenStore = true; o.Sources.Order = []; } },
        { "Sources.HeaderNames", o => { o.UseTokenStore = true; o.Sources.HeaderNames = []; } },
        { "Sources.QueryName", o => { o.UseTokenStore = true; o.Sources.QueryName = " "; } },
        { "Sources.FormName", o => { o.UseTokenStore = true; o.Sources.FormName = ""; } },
        { "Sources.AuthorizationScheme", o => { o.UseTokenStore = true; o.Sources.AuthorizationScheme = ""; } },
        { "Sources.MaxFormBodyLength", o => { o.UseTokenStore = true; o.Sources.MaxFormBodyLength = 0; } },
    };

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
