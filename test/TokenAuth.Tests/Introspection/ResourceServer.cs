using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Introspection;

/// <summary>
/// A resource server (<see cref="TestApp"/>: TestServer, captured logs, <c>/protected</c>) that introspects at an
/// <see cref="IntrospectionAuthority"/>, sharing its clock. Retries wait 5 ms, so fault tests stay fast; timeouts are
/// generous. <c>/claims</c>
/// answers every claim of the principal and the expiry the feature saw.
/// </summary>
internal static class ResourceServer
{
    public static Task<TestApp> StartAsync(
        IntrospectionAuthority authority,
        Action<TokenAuthOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        FakeTimeProvider? time = null)
        => TestApp.StartAsync(
            o =>
            {
                o.Introspection.Endpoint = authority.IntrospectionEndpoint;
                o.Introspection.ClientId = IntrospectionAuthority.ResourceClientId;
                o.Introspection.ClientSecret = IntrospectionAuthority.ResourceClientSecret;
                o.Introspection.RetryDelay = TimeSpan.FromMilliseconds(5);
                // A loaded two-core machine (the whole suite in parallel) can take a second over a loopback call: only the
                // tests about timeouts get tight ones, so that no other test sees a retry it did not ask for.
                o.Introspection.Timeout = TimeSpan.FromSeconds(20);
                o.Introspection.AttemptTimeout = TimeSpan.FromSeconds(10);
                configure?.Invoke(o);
            },
            services,
            map: app => app.MapGet("/claims", (HttpContext context) => Results.Json(new
            {
                claims = context.User.Claims.Select(c => new[] { c.Type, c.Value }).ToArray(),
                expiresAt = context.Features.Get<ITokenAuthFeature>()?.TokenInfo.ExpiresAt,
            })).RequireAuthorization(),
            time: time ?? authority.Time);

    /// <summary>The scheme's validator, as the handler uses it.</summary>
    public static ITokenValidator Validator(TestApp app)
        => app.Services.GetRequiredService<IOptionsMonitor<TokenAuthOptions>>().Get(TokenAuthDefaults.AuthenticationScheme).Validator!;

    public static TokenCache Cache(TestApp app) => app.Services.GetRequiredService<TokenCache>();

    public static async Task<System.Net.HttpStatusCode> StatusAsync(TestApp app, string token)
    {
        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));
        return response.StatusCode;
    }

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
