using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace TokenAuth.Server;

/// <summary>
/// The RFC 6749 token endpoint: a bounded form body, client authentication, then one handler per grant type.
/// Adding a grant means adding a case to <see cref="HandleGrantAsync"/>.
/// </summary>
internal sealed class TokenEndpoint(
    ClientAuthenticator authenticator,
    AccessTokenIssuer issuer,
    IOptions<TokenServerOptions> options,
    TimeProvider timeProvider,
    ILogger<TokenEndpoint> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var error = await HandleCoreAsync(context);
        if (error is not null)
        {
            Log.TokenRequestRefused(logger, error.Error, error.Description);
            var retryAfter = error.StatusCode == StatusCodes.Status503ServiceUnavailable ? options.Value.RetryAfter : (TimeSpan?)null;
            await OAuthResponseWriter.WriteErrorAsync(context, error, retryAfter);
        }
    }

    private async Task<OAuthError?> HandleCoreAsync(HttpContext context)
    {
        var request = context.Request;
        if (!BoundedFormReader.IsUrlEncodedForm(request.ContentType))
        {
            return OAuthError.InvalidRequest("The token request must be sent as application/x-www-form-urlencoded (RFC 6749 §3.2).");
        }

        var form = await BoundedFormReader.ReadAsync(request, options.Value.MaxRequestBodyLength, context.RequestAborted);
        if (form.Fields is not { } fields)
        {
            return new OAuthError(OAuthErrors.InvalidRequest, "The token request body is too large.", StatusCodes.Status413PayloadTooLarge);
        }

        foreach (var (name, values) in fields)
        {
            if (values.Count > 1)
            {
                // RFC 6749 §3.2: parameters must not be included more than once.
                return OAuthError.InvalidRequest($"The parameter '{name}' is given more than once.");
            }
        }

        var (client, clientError) = await authenticator.AuthenticateAsync(request, fields, context.RequestAborted);
        if (clientError is not null)
        {
            return clientError;
        }

        var grantType = fields.GetValueOrDefault("grant_type").ToString();
        if (grantType.Length == 0)
        {
            return OAuthError.InvalidRequest("The parameter 'grant_type' is required.");
        }

        return await HandleGrantAsync(context, client!, grantType, fields);
    }

    private Task<OAuthError?> HandleGrantAsync(HttpContext context, TokenClient client, string grantType, Dictionary<string, StringValues> fields)
        => grantType switch
        {
            GrantTypes.ClientCredentials => ClientCredentialsAsync(context, client, fields),
            GrantTypes.RefreshToken => RefreshTokenAsync(context, client, fields),
            _ => Task.FromResult<OAuthError?>(new OAuthError(OAuthErrors.UnsupportedGrantType, $"The grant type '{Printable(grantType)}' is not supported.")),
        };

    private async Task<OAuthError?> ClientCredentialsAsync(HttpContext context, TokenClient client, Dictionary<string, StringValues> fields)
    {
        if (!client.AllowedGrantTypes.Contains(GrantTypes.ClientCredentials, StringComparer.Ordinal))
        {
            return new OAuthError(OAuthErrors.UnauthorizedClient, "The client may not use the client_credentials grant.");
        }

        var (scopes, scopeError) = ResolveScopes(client, fields.GetValueOrDefault("scope").ToString());
        if (scopeError is not null)
        {
            return scopeError;
        }

        var template = new TokenInfo { Subject = client.ClientId, ClientId = client.ClientId, Name = client.DisplayName, Scopes = scopes };
        // RFC 6749 §4.4.3 advises against refresh tokens here; seeds 000 and 003 hand one out, so a client gets one
        // only when it is configured for the refresh_token grant.
        var refreshExpiresAt = client.AllowedGrantTypes.Contains(GrantTypes.RefreshToken, StringComparer.Ordinal)
            ? timeProvider.GetUtcNow() + options.Value.RefreshTokenLifetime
            : (DateTimeOffset?)null;
        return await IssueAsync(context, client, template, refreshExpiresAt);
    }

    private async Task<OAuthError?> RefreshTokenAsync(HttpContext context, TokenClient client, Dictionary<string, StringValues> fields)
    {
        if (!client.AllowedGrantTypes.Contains(GrantTypes.RefreshToken, StringComparer.Ordinal))
        {
            return new OAuthError(OAuthErrors.UnauthorizedClient, "The client may not use the refresh_token grant.");
        }

        var refreshToken = fields.GetValueOrDefault("refresh_token").ToString();
        if (refreshToken.Length == 0)
        {
            return OAuthError.InvalidRequest("The parameter 'refresh_token' is required.");
        }

        TokenInfo? grant;
        try
        {
            grant = await issuer.RedeemRefreshTokenAsync(refreshToken, context.RequestAborted);
        }
        catch (TokenStoreUnavailableException ex)
        {
            Log.TokenStoreUnavailable(logger, client.ClientId, ex.InnerException!);
            return StoreUnavailable();
        }

        // RFC 6749 §6: the refresh token must have been issued to this client; §5.2: anything else is invalid_grant.
        if (grant is null || !string.Equals(grant.ClientId, client.ClientId, StringComparison.Ordinal))
        {
            return new OAuthError(OAuthErrors.InvalidGrant, "The refresh token is invalid, expired, revoked or was issued to another client.");
        }

        var requested = fields.GetValueOrDefault("scope").ToString();
        IReadOnlyList<string> scopes = grant.Scopes;
        if (!string.IsNullOrWhiteSpace(requested))
        {
            // RFC 6749 §6: a refresh may narrow the scope, never widen it.
            var asked = requested.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
            if (asked.Any(s => !grant.Scopes.Contains(s, StringComparer.Ordinal)))
            {
                return new OAuthError(OAuthErrors.InvalidScope, "A refresh may not ask for scopes beyond the original grant.");
            }

            scopes = asked;
        }

        var template = grant with { Scopes = scopes, IssuedAt = null, ExpiresAt = null };
        // Rotation: the new refresh token ends when the grant does, so refreshing cannot extend it forever.
        return await IssueAsync(context, client, template, grant.ExpiresAt);
    }

    private async Task<OAuthError?> IssueAsync(HttpContext context, TokenClient client, TokenInfo template, DateTimeOffset? refreshExpiresAt)
    {
        IssuedToken issued;
        try
        {
            issued = await issuer.IssueAsync(template, client.AccessTokenLifetime ?? options.Value.AccessTokenLifetime, refreshExpiresAt, context.RequestAborted);
        }
        catch (TokenStoreUnavailableException ex)
        {
            // A token that cannot be saved must not be handed out: it would be refused on first use.
            Log.TokenStoreUnavailable(logger, client.ClientId, ex.InnerException!);
            return StoreUnavailable();
        }

        Log.TokenIssued(logger, client.ClientId, TokenHash.Compute(issued.AccessToken).Prefix, string.Join(' ', issued.Scopes));
        await OAuthResponseWriter.WriteTokenAsync(context, issued);
        return null;
    }

    private static OAuthError StoreUnavailable()
        => new(OAuthErrors.TemporarilyUnavailable, "The token store is temporarily unavailable.", StatusCodes.Status503ServiceUnavailable);

    private static (IReadOnlyList<string> Scopes, OAuthError? Error) ResolveScopes(TokenClient client, string requested)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            return ([.. client.AllowedScopes], null);
        }

        // RFC 6749 §3.3: space-delimited, case-sensitive.
        var scopes = requested.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        var refused = scopes.Where(s => !client.AllowedScopes.Contains(s, StringComparer.Ordinal)).ToList();
        return refused.Count > 0
            ? ([], new OAuthError(OAuthErrors.InvalidScope, $"The client may not request the scope '{Printable(string.Join(' ', refused))}'."))
            : (scopes, null);
    }

    /// <summary>Echoes client input only in a bounded, printable-ASCII form.</summary>
    private static string Printable(string value)
    {
        var chars = value.Take(64).Select(c => c is >= ' ' and <= '~' && c != '"' && c != '\\' ? c : '?').ToArray();
        return new string(chars);
    }
}
