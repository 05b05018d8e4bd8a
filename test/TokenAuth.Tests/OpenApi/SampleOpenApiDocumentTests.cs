using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.OpenApi;

namespace TokenAuth.Tests.OpenApi;

/// <summary>
/// The sample's <c>/openapi/v1.json</c> (Development, as WebApplicationFactory runs it), read with Microsoft.OpenApi's reader:
/// what it says about TokenAuth, and that the app answers as it says.
/// </summary>
public sealed class SampleOpenApiDocumentTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private static readonly string[] Schemes = ["TokenAuth.Bearer", "TokenAuth.Header.Access-Token", "TokenAuth.Header.access_token", "TokenAuth.Query.access_token"];

    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Document_EveryEnabledSource_IsASecurityScheme()
    {
        var document = await OpenApiDocuments.ReadAsync(_client);

        var schemes = document.Components!.SecuritySchemes!;
        Assert.Equal(Schemes, schemes.Keys);
        Assert.Equal(SecuritySchemeType.Http, schemes["TokenAuth.Bearer"].Type);
        Assert.Equal("bearer", schemes["TokenAuth.Bearer"].Scheme);
        // The form field cannot be a security scheme (OpenAPI has none in a body): the bearer scheme says so instead.
        Assert.Contains("`access_token` field of an `application/x-www-form-urlencoded` body", schemes["TokenAuth.Bearer"].Description, StringComparison.Ordinal);
        Assert.All(Schemes.Skip(1), id => Assert.Equal(SecuritySchemeType.ApiKey, schemes[id].Type));
        Assert.Equal(("Access-Token", ParameterLocation.Header), (schemes["TokenAuth.Header.Access-Token"].Name, schemes["TokenAuth.Header.Access-Token"].In));
        Assert.Equal(("access_token", ParameterLocation.Header), (schemes["TokenAuth.Header.access_token"].Name, schemes["TokenAuth.Header.access_token"].In));
        Assert.Equal(("access_token", ParameterLocation.Query), (schemes["TokenAuth.Query.access_token"].Name, schemes["TokenAuth.Query.access_token"].In));
    }

    [Theory]
    [InlineData("GET", "/api/me", "")]
    [InlineData("POST", "/api/me", "")]
    [InlineData("GET", "/api/tenant/me", "")]
    [InlineData("GET", "/api/profile", "")]           // [Authorize] on the controller
    [InlineData("PUT", "/api/profile", "write")]      // [RequireScope("write")] on the action
    [InlineData("POST", "/api/notes", "write")]       // RequireAuthorization("write"), a named scope policy
    public async Task AuthorizedOperation_RequiresATokenFromAnySource_WithItsScopes(string method, string path, string scopes)
    {
        var document = await OpenApiDocuments.ReadAsync(_client);

        var requirements = document.Operation(method, path).Requirements();
        Assert.Equal(Schemes.Select(s => (s, scopes)), requirements);
    }

    [Theory]
    [InlineData("GET", "/api/public")]                               // no authorization
    [InlineData("GET", "/.well-known/oauth-authorization-server")]   // SkipTokenAuthentication
    public async Task AnonymousOperation_HasNoRequirementNoParametersNoAnswers(string method, string path)
    {
        var document = await OpenApiDocuments.ReadAsync(_client);

        var operation = document.Operation(method, path);
        Assert.Empty(operation.Security ?? []);
        Assert.Empty(operation.Parameters ?? []);
        Assert.Equal(["200"], operation.Responses!.Keys);
    }

    [Fact]
    public async Task DocumentAndScalar_AreNotOperations()
    {
        var document = await OpenApiDocuments.ReadAsync(_client);

        Assert.DoesNotContain(document.Paths.Keys, p => p.StartsWith("/openapi", StringComparison.Ordinal) || p.StartsWith("/scalar", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AuthorizedOperation_HasSudoAndTenantParameters()
    {
        var document = await OpenApiDocuments.ReadAsync(_client);

        var me = document.Operation("GET", "/api/me");
        Assert.True(me.HasParameter("sudo", ParameterLocation.Query));
        Assert.True(me.HasParameter("Sudo", ParameterLocation.Header));
        Assert.True(me.HasParameter("tenantId", ParameterLocation.Query));
        Assert.True(me.HasParameter("tenantCode", ParameterLocation.Query));
        // TenantOptions.Headers is off in the sample: the handler reads no tenant header, so none is described.
        Assert.False(me.HasParameter("Tenant-Id", ParameterLocation.Header));
        Assert.All(me.Parameters!, p => Assert.False(p.Required));
        Assert.Contains("`sudo` scope", me.Parameters!.Single(p => p.Name == "sudo").Description, StringComparison.Ordinal);
        Assert.False(me.Extensions?.ContainsKey("x-tokenauth-tenant-required") == true);
    }

    [Fact]
    public async Task RequireTenantOperation_SaysATenantIsRequired()
    {
        var document = await OpenApiDocuments.ReadAsync(_client);

        var operation = document.Operation("GET", "/api/tenant/me");
        var extension = Assert.IsType<JsonNodeExtension>(operation.Extensions!["x-tokenauth-tenant-required"]);
        Assert.True(extension.Node.GetValue<bool>());
        Assert.Contains("Requires a tenant: `tenantId` or `tenantCode`", operation.Description, StringComparison.Ordinal);
        Assert.Contains("requires a tenant", operation.Parameters!.Single(p => p.Name == "tenantId").Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/api/me")]
    [InlineData("POST", "/api/notes")]
    [InlineData("PUT", "/api/profile")]
    public async Task AuthorizedOperation_DescribesTokenAuthAnswers(string method, string path)
    {
        var document = await OpenApiDocuments.ReadAsync(_client);

        var responses = document.Operation(method, path).Responses!;
        Assert.Equal(["200", "400", "401", "403", "404", "503"], responses.Keys.Order(StringComparer.Ordinal));
        Assert.True(responses["401"].Headers!.ContainsKey("WWW-Authenticate"));
        Assert.True(responses["403"].Headers!.ContainsKey("WWW-Authenticate"));
        Assert.True(responses["400"].Headers!.ContainsKey("WWW-Authenticate"));
        Assert.Equal(JsonSchemaType.Integer, responses["503"].Headers!["Retry-After"].Schema!.Type);
        foreach (var status in new[] { "400", "401", "403", "404", "503" })
        {
            var schema = responses[status].Content!["application/problem+json"].Schema!;
            Assert.Equal("TokenAuthProblemDetails", Assert.IsType<OpenApiSchemaReference>(schema).Reference.Id);
            Assert.Equal(["type", "title", "status", "detail", "error", "traceId"], schema.Properties!.Keys);
            Assert.Equal(["detail", "status", "title", "traceId", "type"], schema.Required!.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task EveryOperation_AnswersWithoutATokenAsTheDocumentSays()
    {
        var document = await OpenApiDocuments.ReadAsync(_client);

        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations!)
            {
                using var request = new HttpRequestMessage(method, path);
                using var response = await _client.SendAsync(request);
                var secured = operation.Security is { Count: > 0 };
                Assert.True(secured == (response.StatusCode == HttpStatusCode.Unauthorized), $"{method} {path}: described {(secured ? "secured" : "open")}, answered {(int)response.StatusCode}");
            }
        }
    }

    [Fact]
    public async Task Problem401_HasTheDescribedMembers()
    {
        var document = await OpenApiDocuments.ReadAsync(_client);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token-this-server-issued");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var schema = document.Components!.Schemas!["TokenAuthProblemDetails"];
        Assert.Equal(schema.Properties!.Keys.Order(StringComparer.Ordinal), body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }
}
