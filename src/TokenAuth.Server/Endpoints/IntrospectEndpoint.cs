using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TokenAuth.Server;

/// <summary>
/// Introspection (RFC 7662): an authenticated client names a token and learns whether it is active and what it says
/// (<c>scope</c>, <c>client_id</c>, <c>sub</c>, <c>username</c>, <c>exp</c>, <c>iat</c>, <c>nbf</c>, <c>token_type</c>,
/// <c>iss</c>, <c>aud</c>, <c>tenant_id</c>; a refresh token says <c>"token_usage": "refresh_token"</c>). A client without <see cref="TokenClient.CanIntrospectAnyToken"/> sees only its
/// own tokens; any other is <c>{"active":false}</c>, exactly like an unknown one (§4: no token scanning).
/// </summary>
internal sealed class IntrospectEndpoint(ClientAuthenticator clientAuthenticator, TokenIssuer issuer, IOptions<TokenServerOptions> options, TimeProvider timeProvider, ILogger<IntrospectEndpoint> logger)
{
    public Task HandleAsync(HttpContext context, ServerEndpoint endpoint) => EndpointRunner.RunAsync(context, endpoint, options.Value, timeProvider, logger, async request =>
    {
        var (client, clientError) = await clientAuthenticator.AuthenticateAsync(request, allowPublic: false);
        if (clientError is not null)
        {
            return clientError;
        }

        if (request[OAuthParameters.Token] is not { } token)
        {
            return request.Missing(OAuthParameters.Token);
        }

        var found = await issuer.FindLiveAsync(token, request[OAuthParameters.TokenTypeHint], request.Aborted);
        if (found is not null && !client!.CanIntrospectAnyToken && found.Info.ClientId != client.ClientId)
        {
            found = null;
        }

        await ProfileResponseWriter.WriteAsync(context, StatusCodes.Status200OK, writer => Write(writer, found, options.Value));
        return null;
    });

    private static void Write(Utf8JsonWriter writer, FoundToken? found, TokenServerOptions serverOptions)
    {
        writer.WriteStartObject();
        writer.WriteBoolean("active", found is not null);
        if (found is not null)
        {
            var info = found.Info;
            if (info.Scopes.Count > 0)
            {
                writer.WriteString("scope", string.Join(' ', info.Scopes));
            }

            WriteIfSet(writer, "client_id", info.ClientId);
            WriteIfSet(writer, "sub", info.Subject);
            WriteIfSet(writer, "username", info.Claims.FirstOrDefault(c => c.Type == TokenServerClaimTypes.PreferredUserName)?.Value);
            if (!found.IsRefreshToken)
            {
                writer.WriteString("token_type", "Bearer");
            }
            else
            {
                // A refresh token is active too, but it is no access token: say so (OpenIddict's member), or a resource
                // server that introspects here would accept it as a bearer token with the refresh token's grant.
                writer.WriteString("token_usage", "refresh_token");
            }

            WriteTime(writer, "exp", info.ExpiresAt);
            WriteTime(writer, "iat", info.IssuedAt);
            WriteTime(writer, "nbf", info.NotBefore);
            WriteIfSet(writer, "iss", serverOptions.Issuer);
            WriteIfSet(writer, "aud", serverOptions.Audience);
            WriteIfSet(writer, TokenAuthClaimTypes.TenantId, info.TenantId);
            WriteIfSet(writer, TokenAuthClaimTypes.Name, info.Name);
            if (info.Roles.Count > 0)
            {
                writer.WriteStartArray(TokenAuthClaimTypes.Role);
                foreach (var role in info.Roles)
                {
                    writer.WriteStringValue(role);
                }

                writer.WriteEndArray();
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteTime(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            writer.WriteNumber(name, time.ToUnixTimeSeconds());
        }
    }
}
