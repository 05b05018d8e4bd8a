using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TokenAuth.Server;

/// <summary>
/// Seed 001's check: <c>GET …/tokens/check?token=…</c> answers the token, its type, the seconds it has left and its
/// scope, or 400 <c>invalid_token</c>. The token is its own credential: whoever holds it may ask what it grants.
/// </summary>
internal sealed class CheckEndpoint(ClientAuthenticator clientAuthenticator, TokenIssuer issuer, IOptions<TokenServerOptions> options, TimeProvider timeProvider, ILogger<CheckEndpoint> logger)
{
    public Task HandleAsync(HttpContext context, ServerEndpoint endpoint) => EndpointRunner.RunAsync(context, endpoint, options.Value, timeProvider, logger, async request =>
    {
        var (client, clientError) = await clientAuthenticator.AuthenticateIfRequiredAsync(request, allowPublic: false);
        if (clientError is not null)
        {
            return clientError;
        }

        if (request[OAuthParameters.Token] is not { } token)
        {
            return request.Missing(OAuthParameters.Token);
        }

        var info = await issuer.ReadAccessTokenAsync(token, request.Aborted);
        if (info is null || (client is not null && !client.CanIntrospectAnyToken && info.ClientId != client.ClientId))
        {
            return new OAuthError(OAuthErrors.InvalidToken, "The token is unknown, revoked or expired.");
        }

        var now = timeProvider.GetUtcNow();
        await ProfileResponseWriter.WriteTokenAsync(context, request.Profile.Response, new TokenAnswer(token, info.ExpiresAt!.Value - now, info.Scopes), now);
        return null;
    });
}
