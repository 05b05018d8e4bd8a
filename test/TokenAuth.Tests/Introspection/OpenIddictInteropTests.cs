using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using TokenAuth.Tests.Handler;
using TokenAuth.Tests.Infrastructure;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace TokenAuth.Tests.Introspection;

/// <summary>
/// Interop with an independent RFC 7662 server: OpenIddict 7 (degraded mode, no database, ephemeral keys) on Kestrel
/// issues a client-credentials token; TokenAuth introspects it, discovering the endpoint from OpenIddict's metadata.
/// </summary>
public sealed class OpenIddictInteropTests
{
    private const string AppId = "app";
    private const string AppSecret = "app-secret";
    private const string ApiId = "orders-api";
    private const string ApiSecret = "orders-api-secret";

    [Fact]
    public async Task OpenIddictToken_IsIntrospected_ActiveWithAudAndIss_InactiveIsABareActiveFalse()
    {
        await using var openIddict = await StartOpenIddictAsync();
        var issuer = openIddict.Urls.First().TrimEnd('/');
        // OpenIddict stamps real times (exp, and nbf a moment ahead of this clock): the resource server's clock is today too.
        await using var app = await TestApp.StartAsync(
            o =>
            {
                o.Introspection.Authority = issuer + "/";
                o.Introspection.ClientId = ApiId;
                o.Introspection.ClientSecret = ApiSecret;
            },
            map: a => a.MapGet("/claims", (ClaimsPrincipal user) => user.Claims.Select(c => new[] { c.Type, c.Value }).ToArray()).RequireAuthorization(),
            time: new FakeTimeProvider(DateTimeOffset.UtcNow));
        using var client = new HttpClient { BaseAddress = new Uri(issuer) };
        var token = await TokenAsync(client);

        using var response = await app.Client.SendAsync(TestApp.Get("/claims", token));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text} {response.Headers.WwwAuthenticate}");
        var claims = JsonSerializer.Deserialize<string[][]>(text)!.Select(c => (c[0], c[1])).ToList();
        Assert.Contains(("sub", "service-" + AppId), claims);
        Assert.Contains(("client_id", AppId), claims);
        Assert.Contains(("scope", "orders.read"), claims);
        Assert.Contains(("aud", ApiId), claims);
        Assert.Contains(("iss", issuer + "/"), claims);

        // OpenIddict's own inactive answer is exactly {"active":false}: a 401 here.
        using var raw = await client.PostAsync("/connect/introspect", new FormUrlEncodedContent(
            [new("token", "not-an-openiddict-token"), new("client_id", ApiId), new("client_secret", ApiSecret)]));
        using (var inactive = JsonDocument.Parse(await raw.Content.ReadAsStringAsync()))
        {
            Assert.Equal("active", Assert.Single(inactive.RootElement.EnumerateObject()).Name);
            Assert.False(inactive.RootElement.GetProperty("active").GetBoolean());
        }

        using var refused = await app.Client.SendAsync(TestApp.Get("/protected", "not-an-openiddict-token"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("not active", Http.Challenge(refused), StringComparison.Ordinal);
    }

    private static async Task<string> TokenAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"), new("client_id", AppId), new("client_secret", AppSecret), new("scope", "orders.read"),
        ]));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    private static async Task<WebApplication> StartOpenIddictAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetTokenEndpointUris("connect/token").SetIntrospectionEndpointUris("connect/introspect");
            o.AllowClientCredentialsFlow();
            o.RegisterScopes("orders.read");
            o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            // No database: the test checks the clients itself, and tokens are self-contained (encrypted JWTs).
            o.EnableDegradedMode();
            o.UseAspNetCore().DisableTransportSecurityRequirement();
            o.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(b => b.UseInlineHandler(context =>
            {
                if (context.Request.ClientId != AppId || context.Request.ClientSecret != AppSecret)
                {
                    context.Reject(Errors.InvalidClient, "Unknown client.");
                }

                return default;
            }));
            o.AddEventHandler<OpenIddictServerEvents.HandleTokenRequestContext>(b => b.UseInlineHandler(context =>
            {
                var identity = new ClaimsIdentity("openiddict", Claims.Name, Claims.Role);
                identity.SetClaim(Claims.Subject, "service-" + context.Request.ClientId);
                identity.SetScopes("orders.read");
                identity.SetResources(ApiId);
                identity.SetDestinations(_ => [Destinations.AccessToken]);
                context.SignIn(new ClaimsPrincipal(identity));
                return default;
            }));
            // What OpenIddict's application store would do without degraded mode: tell an audience of the token its scopes.
            o.AddEventHandler<OpenIddictServerEvents.HandleIntrospectionRequestContext>(b => b
                .SetOrder(OpenIddictServerHandlers.Introspection.AttachMetadataClaims.Descriptor.Order + 1_000)
                .UseInlineHandler(context =>
                {
                    if (context.GenericTokenPrincipal!.HasAudience(context.Request.ClientId!))
                    {
                        context.Scopes.UnionWith(context.GenericTokenPrincipal.GetScopes());
                    }

                    return default;
                }));
            o.AddEventHandler<OpenIddictServerEvents.ValidateIntrospectionRequestContext>(b => b.UseInlineHandler(context =>
            {
                if (context.Request.ClientId != ApiId || context.Request.ClientSecret != ApiSecret)
                {
                    context.Reject(Errors.InvalidClient, "Unknown client.");
                }

                return default;
            }));
        });
        var app = builder.Build();
        await app.StartAsync();
        return app;
    }
}
