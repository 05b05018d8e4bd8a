using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using TokenAuth.Tests.Impersonation;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.OpenApi;

/// <summary>
/// <c>AddOpenApi(o =&gt; o.AddTokenAuth())</c> on a minimal app (TestServer): the document follows the scheme's options and
/// each endpoint's authorization metadata.
/// </summary>
public sealed class OpenApiTransformerTests
{
    [Fact]
    public async Task OnlyBearerEnabled_DescribesOnlyTheBearerScheme()
    {
        await using var app = await StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Sources.Header = false;
            o.Sources.Query = false;
            o.Sources.Form = false;
        });

        var document = await OpenApiDocuments.ReadAsync(app.Client);

        var scheme = Assert.Single(document.Components!.SecuritySchemes!);
        Assert.Equal("TokenAuth.Bearer", scheme.Key);
        Assert.Equal((SecuritySchemeType.Http, "bearer"), (scheme.Value.Type, scheme.Value.Scheme));
        Assert.DoesNotContain("form", scheme.Value.Description, StringComparison.Ordinal);
        Assert.Equal([("TokenAuth.Bearer", "")], document.Operation("GET", "/protected").Requirements());
        Assert.Equal([("TokenAuth.Bearer", "write")], document.Operation("GET", "/scoped").Requirements());
    }

    [Fact]
    public async Task Sources_AreDescribedInReadingOrder_OnlyTheSwitchedOnOnes()
    {
        // Order orders; a source it leaves out is still read (after the listed ones) until its flag is off.
        await using var app = await StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Sources.Order = [TokenSource.Query, TokenSource.AuthorizationHeader];
            o.Sources.QueryName = "token";
            o.Sources.Header = false;
        });

        var document = await OpenApiDocuments.ReadAsync(app.Client);

        Assert.Equal(["TokenAuth.Query.token", "TokenAuth.Bearer"], document.Components!.SecuritySchemes!.Keys);
        Assert.Equal("token", document.Components.SecuritySchemes["TokenAuth.Query.token"].Name);
    }

    [Fact]
    public async Task AnonymousAndUnauthorizedEndpoints_HaveNoRequirement()
    {
        await using var app = await StartAsync(map: app =>
        {
            app.MapGet("/open", () => "open");
            app.MapGet("/skipped", () => "skipped").RequireAuthorization().SkipTokenAuthentication();
            app.MapGet("/other-scheme", () => "other").RequireAuthorization(new AuthorizeAttribute { AuthenticationSchemes = "Cookies" });
        });

        var document = await OpenApiDocuments.ReadAsync(app.Client);

        foreach (var path in new[] { "/anonymous", "/open", "/skipped", "/other-scheme" })
        {
            var operation = document.Operation("GET", path);
            Assert.True(operation.Security is null or { Count: 0 }, path);
            Assert.False(operation.Responses!.ContainsKey("401"), path);
        }
    }

    [Fact]
    public async Task ScopeRequirements_AreListedAsTheAlternativesThatSatisfyThem()
    {
        await using var app = await StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Sources.Header = false;
            o.Sources.Query = false;
        }, map: app =>
        {
            // One requirement: any one of its scopes. Two requirements: one scope of each.
            app.MapGet("/either", () => "").RequireAuthorization(p => p.RequireScope("read", "admin"));
            app.MapGet("/both", () => "").RequireAuthorization(p => p.RequireScope("read", "admin").RequireScope("write"));
            app.MapGet("/attribute", [RequireScope("notes")] () => "");
        });

        var document = await OpenApiDocuments.ReadAsync(app.Client);

        Assert.Equal([("TokenAuth.Bearer", "read"), ("TokenAuth.Bearer", "admin")], document.Operation("GET", "/either").Requirements());
        Assert.Equal([("TokenAuth.Bearer", "read write"), ("TokenAuth.Bearer", "admin write")], document.Operation("GET", "/both").Requirements());
        Assert.Equal([("TokenAuth.Bearer", "notes")], document.Operation("GET", "/attribute").Requirements());
    }

    [Fact]
    public async Task FallbackPolicy_SecuresEndpointsWithoutMetadata()
    {
        await using var app = await StartAsync(
            services: s => s.Configure<AuthorizationOptions>(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build()),
            map: app => app.MapGet("/plain", () => "plain"));

        var document = await OpenApiDocuments.ReadAsync(app.Client);

        Assert.NotEmpty(document.Operation("GET", "/plain").Requirements());
        Assert.Empty(document.Operation("GET", "/anonymous").Requirements());
    }

    [Fact]
    public async Task WithoutSudoAndTenantStores_NoSuchParametersAndNo404()
    {
        await using var app = await StartAsync();

        var document = await OpenApiDocuments.ReadAsync(app.Client);

        var operation = document.Operation("GET", "/protected");
        Assert.Empty(operation.Parameters ?? []);
        Assert.Equal(["200", "400", "401", "403", "503"], operation.Responses!.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TenantHeadersOnSudoHeaderOff_DescribesWhatTheHandlerReads()
    {
        await using var app = await StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Sudo.Header = false;
            o.Tenants.Headers = true;
        }, services: s => s.AddTokenAuthSudo<TestUserStore>().AddTokenAuthTenants<TestTenantStore>());

        var document = await OpenApiDocuments.ReadAsync(app.Client);

        var names = document.Operation("GET", "/protected").Parameters!.Select(p => $"{p.In}:{p.Name}");
        Assert.Equal(["Query:sudo", "Query:tenantId", "Query:tenantCode", "Header:Tenant-Id", "Header:Tenant-Code"], names);
        Assert.True(document.Operation("GET", "/protected").Responses!.ContainsKey("404"));
    }

    [Fact]
    public async Task ProblemDetailsOff_AnswersHaveNoBody()
    {
        await using var app = await StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.WriteProblemDetails = false;
        });

        var document = await OpenApiDocuments.ReadAsync(app.Client);

        var unauthorized = document.Operation("GET", "/protected").Responses!["401"];
        Assert.True(unauthorized.Content is null or { Count: 0 });
        Assert.True(unauthorized.Headers!.ContainsKey("WWW-Authenticate"));
        Assert.False(document.Components!.Schemas?.ContainsKey("TokenAuthProblemDetails") == true);
    }

    [Fact]
    public async Task AnswerTheEndpointDocuments_IsKept()
    {
        await using var app = await StartAsync(map: app =>
            app.MapGet("/own-404", () => Results.NotFound()).RequireAuthorization().Produces(StatusCodes.Status400BadRequest));

        var document = await OpenApiDocuments.ReadAsync(app.Client);

        var badRequest = document.Operation("GET", "/own-404").Responses!["400"];
        Assert.IsNotType<OpenApiResponseReference>(badRequest);
    }

    private static Task<TestApp> StartAsync(Action<TokenAuthOptions>? configure = null, Action<IServiceCollection>? services = null, Action<WebApplication>? map = null)
        => TestApp.StartAsync(
            configure,
            services: s =>
            {
                s.AddOpenApi(o => o.AddTokenAuth());
                services?.Invoke(s);
            },
            map: app =>
            {
                app.MapOpenApi().AllowAnonymous();   // a fallback policy would cover the document too
                map?.Invoke(app);
            });
}
