using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TokenAuth.Server;

/// <summary>
/// Revocation (RFC 7009): the client authenticates and names a token; an access token is withdrawn at once, a refresh
/// token takes its whole family with it (every access and refresh token of the grant). An unknown token is a success
/// (§2.2). A client may only revoke its own tokens unless it has <see cref="TokenClient.CanIntrospectAnyToken"/>.
/// Seed 001's <c>GET …/tokens/revoke?token=…</c> uses no client authentication: holding the token is the credential.
/// </summary>
internal sealed class RevokeEndpoint(ClientAuthenticator clientAuthenticator, TokenIssuer issuer, IOptions<TokenServerOptions> options, TimeProvider timeProvider, ILogger<RevokeEndpoint> logger)
{
    public Task HandleAsync(HttpContext context, ServerEndpoint endpoint) => EndpointRunner.RunAsync(context, endpoint, options.Value, timeProvider, logger, async request =>
    {
        var (client, clientError) = await clientAuthenticator.AuthenticateIfRequiredAsync(request, allowPublic: true);
        if (clientError is not null)
        {
            return clientError;
        }

        if (request[OAuthParameters.Token] is not { } token)
        {
            return request.Missing(OAuthParameters.Token);
        }

        var found = await issuer.FindLiveAsync(token, request[OAuthParameters.TokenTypeHint], request.Aborted);
        if (found is not null)
        {
            if (client is not null && !client.CanIntrospectAnyToken && found.Info.ClientId != client.ClientId)
            {
                // RFC 7009 §2.1: the server verifies the token was issued to the client asking, and refuses otherwise.
                return OAuthError.UnauthorizedClient("The token was not issued to this client.");
            }

            if (found.RefreshGrant is { } grant)
            {
                await issuer.RevokeFamilyAsync(grant.FamilyId, request.Aborted);
            }
            else if (issuer.IssuesJwts)
            {
                return new OAuthError(OAuthErrors.UnsupportedTokenType, "Access tokens are self-contained JWTs here and cannot be revoked before they expire.");
            }
            else
            {
                await issuer.RevokeAccessTokenAsync(token, request.Aborted);
            }

            Log.TokenRevoked(logger, client?.ClientId ?? "-", TokenHash.Compute(token).Prefix, found.IsRefreshToken ? "refresh token" : "access token");
        }

        await ProfileResponseWriter.WriteDoneAsync(context, request.Profile.Response, timeProvider.GetUtcNow());
        return null;
    });
}
