using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth.Server;

/// <summary>
/// The token endpoint (RFC 6749 §3.2) of any profile: read the parameters, authenticate the client, then one method
/// per grant type — client_credentials (with seed 002's <c>userId</c> and seed 004's <c>userType</c>), refresh_token
/// (rotation, reuse revokes the family), authorization_code (PKCE, single use, replay revokes what it issued) and
/// password. Answers and errors are written in the profile's format.
/// </summary>
internal sealed class TokenEndpoint(
    ClientAuthenticator clientAuthenticator,
    UserAuthenticator userAuthenticator,
    TokenIssuer issuer,
    IOptions<TokenServerOptions> options,
    TimeProvider timeProvider,
    ILogger<TokenEndpoint> logger)
{
    /// <summary>How long a consumed grant whose redemption never completed (its request failed) counts as "being redeemed".</summary>
    private static readonly TimeSpan RedemptionWindow = TimeSpan.FromSeconds(10);

    private static readonly string[] ServerGrantTypes = [GrantTypes.ClientCredentials, GrantTypes.RefreshToken, GrantTypes.AuthorizationCode, GrantTypes.Password];

    public Task HandleAsync(HttpContext context, ServerEndpoint endpoint) => EndpointRunner.RunAsync(
        context,
        endpoint,
        options.Value,
        timeProvider,
        logger,
        async request =>
        {
            var grantType = GrantType(request);
            var (answer, error) = await HandleCoreAsync(request, grantType);
            if (answer is not null)
            {
                await ProfileResponseWriter.WriteTokenAsync(context, request.Profile.ResponseFor(grantType), answer, timeProvider.GetUtcNow());
            }

            return error;
        },
        request => request.Profile.ResponseFor(GrantType(request)));

    private static string? GrantType(ProtocolRequest request) => request[OAuthParameters.GrantType] ?? request.Profile.DefaultGrantType;

    private async Task<(TokenAnswer? Answer, OAuthError? Error)> HandleCoreAsync(ProtocolRequest request, string? grantType)
    {
        // A public client (no secret) may redeem a code or a refresh token, nothing else (RFC 6749 §2.1, §4.1.3).
        var allowPublic = grantType is GrantTypes.AuthorizationCode or GrantTypes.RefreshToken;
        var (client, clientError) = await clientAuthenticator.AuthenticateAsync(request, allowPublic);
        if (clientError is not null)
        {
            return (null, clientError);
        }

        if (grantType is null)
        {
            return (null, request.Missing(OAuthParameters.GrantType));
        }

        var profileGrants = request.Profile.GrantTypes;
        if (!ServerGrantTypes.Contains(grantType, StringComparer.Ordinal) || (profileGrants.Count > 0 && !profileGrants.Contains(grantType, StringComparer.Ordinal)))
        {
            return (null, new OAuthError(OAuthErrors.UnsupportedGrantType, $"The grant type '{OAuthError.Printable(grantType)}' is not supported here."));
        }

        if (!client!.Allows(grantType))
        {
            return (null, OAuthError.UnauthorizedClient($"The client may not use the {grantType} grant."));
        }

        var result = grantType switch
        {
            GrantTypes.ClientCredentials => await ClientCredentialsAsync(request, client),
            GrantTypes.RefreshToken => await RefreshTokenAsync(request, client),
            GrantTypes.AuthorizationCode => await AuthorizationCodeAsync(request, client),
            _ => await PasswordAsync(request, client),
        };
        if (result.Answer is not null)
        {
            Log.TokenIssued(logger, client.ClientId, TokenHash.Compute(result.Answer.AccessToken).Prefix, grantType, string.Join(' ', result.Answer.Scopes));
        }

        return result;
    }

    private async Task<(TokenAnswer? Answer, OAuthError? Error)> ClientCredentialsAsync(ProtocolRequest request, TokenClient client)
    {
        var (scopes, scopeError) = ResolveScopes(client, request[OAuthParameters.Scope]);
        if (scopeError is not null)
        {
            return (null, scopeError);
        }

        var template = ForClient(client, scopes);
        if (request[OAuthParameters.UserId] is { } userId)
        {
            // Seed 002: a token whose subject is one of the client's users, for clients trusted to act for them.
            if (!client.CanActForUsers)
            {
                return (null, OAuthError.UnauthorizedClient($"The client may not ask for a token for a user ({request.Wire(OAuthParameters.UserId)})."));
            }

            if (!IsIdentifier(userId))
            {
                return (null, OAuthError.InvalidRequest($"The parameter '{request.Wire(OAuthParameters.UserId)}' must be an id of at most 128 letters, digits, '-', '_', '.' or '@'."));
            }

            TokenUser user;
            if (UserAuthenticator.Store(request) is { } store)
            {
                if (await StoreGuard.RunAsync(() => store.FindByIdAsync(userId, request.Aborted), request.Aborted) is not { } found)
                {
                    return (null, OAuthError.InvalidGrant($"The user '{OAuthError.Printable(userId)}' is unknown."));
                }

                user = found;
            }
            else
            {
                user = new TokenUser { Id = userId };
            }

            template = ForUser(client, user, scopes);
        }

        if (request[OAuthParameters.UserType] is { } userType)
        {
            // Seed 004: userType is a fixed value the document lists; anything else is a client error.
            if (!request.Profile.UserTypes.Contains(userType, StringComparer.Ordinal))
            {
                return (null, OAuthError.InvalidRequest(request.Profile.UserTypes.Count == 0
                    ? $"The parameter '{request.Wire(OAuthParameters.UserType)}' is not accepted here."
                    : $"The parameter '{request.Wire(OAuthParameters.UserType)}' must be {string.Join(" or ", request.Profile.UserTypes)}."));
            }

            template = template with { Claims = [.. template.Claims, new TokenClaim(TokenServerClaimTypes.UserType, userType)] };
        }

        // RFC 6749 §4.4.3 advises against refresh tokens here; seeds 000 and 003 hand one out, so a client gets one
        // only when it is configured for the refresh_token grant.
        return await IssueAsync(request, client, template, client.Allows(GrantTypes.RefreshToken) ? issuer.NewFamily() : null);
    }

    private async Task<(TokenAnswer? Answer, OAuthError? Error)> RefreshTokenAsync(ProtocolRequest request, TokenClient client)
    {
        if (request[OAuthParameters.RefreshToken] is not { } refreshToken)
        {
            return (null, request.Missing(OAuthParameters.RefreshToken));
        }

        var (grant, error) = await RedeemAsync(request, client, TokenIssuer.RefreshHandle(refreshToken), GrantKind.RefreshToken, InvalidRefreshToken, found =>
        {
            if (request[OAuthParameters.UserId] is { } userId && !string.Equals(userId, found.Token.Subject, StringComparison.Ordinal))
            {
                return OAuthError.InvalidGrant($"The refresh token was not issued for the user '{OAuthError.Printable(userId)}'.");
            }

            return NarrowScopes(found, request[OAuthParameters.Scope]).Error;
        });
        if (grant is null)
        {
            return (null, error);
        }

        // Rotation: the new refresh token ends when the grant does, so refreshing cannot extend it forever.
        var template = grant.Token with { Scopes = NarrowScopes(grant, request[OAuthParameters.Scope]).Scopes };
        var result = await IssueAsync(request, client, template, new FamilyGrant(grant.FamilyId, grant.ExpiresAt, WithRefreshToken: true));
        await issuer.CompleteAsync(TokenIssuer.RefreshHandle(refreshToken));
        return result;
    }

    private async Task<(TokenAnswer? Answer, OAuthError? Error)> AuthorizationCodeAsync(ProtocolRequest request, TokenClient client)
    {
        if (request[OAuthParameters.Code] is not { } code)
        {
            return (null, request.Missing(OAuthParameters.Code));
        }

        var (grant, error) = await RedeemAsync(request, client, TokenIssuer.CodeHandle(code), GrantKind.AuthorizationCode, InvalidCode,
            found => CheckRedirectUri(request, client, found) ?? CheckPkce(request, found));
        if (grant is null)
        {
            return (null, error);
        }

        var family = new FamilyGrant(grant.FamilyId, issuer.Now + options.Value.RefreshTokenLifetime, client.Allows(GrantTypes.RefreshToken));
        var result = await IssueAsync(request, client, grant.Token, family);
        await issuer.CompleteAsync(TokenIssuer.CodeHandle(code));
        return result;
    }

    /// <summary>
    /// Redeems a refresh token or code once. Presented again after its redemption completed, it is a replay: the whole
    /// family is revoked (RFC 9700 §4.14.2, RFC 6749 §4.1.2). Presented while another request is still redeeming it — a
    /// client sending it twice at once — the duplicate is refused but is no replay: the winner's tokens stand. The caller
    /// completes the redemption (<see cref="TokenIssuer.CompleteAsync"/>) once the new tokens are issued.
    /// </summary>
    private async Task<(GrantRecord? Grant, OAuthError? Error)> RedeemAsync(
        ProtocolRequest request, TokenClient client, TokenHash handle, GrantKind kind, Func<OAuthError> invalid, Func<GrantRecord, OAuthError?> check)
    {
        var found = await issuer.FindGrantAsync(handle, request.Aborted);
        // RFC 6749 §6, §4.1.3: issued to this client; §5.2: anything else is invalid_grant.
        if (found is null || found.Kind != kind || !string.Equals(found.Token.ClientId, client.ClientId, StringComparison.Ordinal))
        {
            return (null, invalid());
        }

        var label = kind == GrantKind.RefreshToken ? "refresh token" : "authorization code";
        if (found.ConsumedAt is { } consumedAt)
        {
            if (found.RedeemedAt is null && issuer.Now - consumedAt < RedemptionWindow)
            {
                // Another request is redeeming it right now: a duplicate sent at the same moment, not a replay.
                Log.GrantRaceLost(logger, client.ClientId, label);
                return (null, invalid());
            }

            Log.GrantReplayed(logger, client.ClientId, label, found.FamilyId);
            await issuer.RevokeFamilyAsync(found.FamilyId, request.Aborted);
            return (null, invalid());
        }

        if (found.ExpiresAt <= issuer.Now)
        {
            return (null, invalid());
        }

        if (check(found) is { } checkError)
        {
            return (null, checkError);
        }

        var consumed = await issuer.ConsumeAsync(handle, request.Aborted);
        if (consumed is null || consumed.ConsumedAt is not null)
        {
            Log.GrantRaceLost(logger, client.ClientId, label);
            return (null, invalid());
        }

        return (consumed, null);
    }

    private async Task<(TokenAnswer? Answer, OAuthError? Error)> PasswordAsync(ProtocolRequest request, TokenClient client)
    {
        if (UserAuthenticator.Store(request) is not { } store)
        {
            return (null, new OAuthError(OAuthErrors.UnsupportedGrantType, "This server has no users: the password grant is not available."));
        }

        if (request[OAuthParameters.Username] is not { } userName || request[OAuthParameters.Password] is not { } password)
        {
            return (null, OAuthError.InvalidRequest($"The parameters '{request.Wire(OAuthParameters.Username)}' and '{request.Wire(OAuthParameters.Password)}' are required."));
        }

        var accountType = request[OAuthParameters.AccountType];
        if (accountType is not null && !IsIdentifier(accountType))
        {
            return (null, OAuthError.InvalidRequest($"The parameter '{request.Wire(OAuthParameters.AccountType)}' must be at most 128 letters, digits, '-', '_', '.' or '@'."));
        }

        var (scopes, scopeError) = ResolveScopes(client, request[OAuthParameters.Scope]);
        if (scopeError is not null)
        {
            return (null, scopeError);
        }

        var (user, userError) = await userAuthenticator.AuthenticateAsync(request, store, userName, password);
        if (userError is not null)
        {
            return (null, userError);
        }

        var template = ForUser(client, user!, scopes);
        if (accountType is not null)
        {
            template = template with { Claims = [.. template.Claims, new TokenClaim(TokenServerClaimTypes.AccountType, accountType)] };
        }

        var (answer, error) = await IssueAsync(request, client, template, client.Allows(GrantTypes.RefreshToken) ? issuer.NewFamily() : null);
        // Seed 003 echoes account_type in its answer.
        return (accountType is null || answer is null ? answer : answer with { Extra = [new(OAuthParameters.AccountType, accountType)] }, error);
    }

    private async Task<(TokenAnswer? Answer, OAuthError? Error)> IssueAsync(ProtocolRequest request, TokenClient client, TokenInfo template, FamilyGrant? family)
    {
        var lifetime = client.AccessTokenLifetime ?? request.Profile.AccessTokenLifetime ?? options.Value.AccessTokenLifetime;
        var issued = await issuer.IssueAsync(template, lifetime, family, request.Aborted);
        return issued is null
            ? (null, OAuthError.InvalidGrant("The grant was revoked."))
            : (issued.ToAnswer(), null);
    }


    /// <summary>What a client's own token (<c>client_credentials</c>) says.</summary>
    internal static TokenInfo ForClient(TokenClient client, IReadOnlyList<string> scopes)
        => new() { Subject = client.ClientId, ClientId = client.ClientId, Name = client.DisplayName, Scopes = scopes };

    /// <summary>What a token of <paramref name="user"/>, obtained through <paramref name="client"/>, says.</summary>
    internal static TokenInfo ForUser(TokenClient client, TokenUser user, IReadOnlyList<string> scopes) => new()
    {
        Subject = user.Id,
        Name = user.DisplayName ?? (user.UserName.Length > 0 ? user.UserName : null),
        ClientId = client.ClientId,
        Scopes = scopes,
        Roles = [.. user.Roles],
        TenantId = user.TenantId,
        Claims = user.UserName.Length > 0 ? [new TokenClaim(TokenServerClaimTypes.PreferredUserName, user.UserName)] : [],
    };

    private static OAuthError? CheckRedirectUri(ProtocolRequest request, TokenClient client, GrantRecord grant)
    {
        var given = request[OAuthParameters.RedirectUri];
        // RFC 6749 §4.1.3: identical to the authorization request's redirect_uri when it carried one.
        var ok = grant.RedirectUri is not null
            ? string.Equals(given, grant.RedirectUri, StringComparison.Ordinal)
            : given is null || client.RedirectUris.Contains(given, StringComparer.Ordinal);
        return ok ? null : OAuthError.InvalidGrant($"The {request.Wire(OAuthParameters.RedirectUri)} does not match the one of the authorization request.");
    }

    private static OAuthError? CheckPkce(ProtocolRequest request, GrantRecord grant)
    {
        var verifier = request[OAuthParameters.CodeVerifier];
        if (grant.CodeChallenge is not { } challenge)
        {
            // RFC 9700 §4.8.2: a verifier for a code issued without a challenge is a downgrade attempt.
            return verifier is null ? null : OAuthError.InvalidGrant("The code was issued without a code_challenge; send no code_verifier.");
        }

        if (verifier is null)
        {
            return OAuthError.InvalidGrant($"The parameter '{request.Wire(OAuthParameters.CodeVerifier)}' is required for this code (RFC 7636).");
        }

        if (!Pkce.IsValidVerifier(verifier))
        {
            return OAuthError.InvalidRequest("The code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_', '~' (RFC 7636, section 4.1).");
        }

        return Pkce.Matches(verifier, challenge, grant.CodeChallengeMethod) ? null : OAuthError.InvalidGrant("The code_verifier does not match the code_challenge.");
    }

    private static (IReadOnlyList<string> Scopes, OAuthError? Error) NarrowScopes(GrantRecord grant, string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            return (grant.Token.Scopes, null);
        }

        // RFC 6749 §6: a refresh may narrow the scope, never widen it.
        var asked = requested.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        return asked.Any(s => !grant.Token.Scopes.Contains(s, StringComparer.Ordinal))
            ? ([], OAuthError.InvalidScope("A refresh may not ask for scopes beyond the original grant."))
            : (asked, null);
    }

    internal static (IReadOnlyList<string> Scopes, OAuthError? Error) ResolveScopes(TokenClient client, string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            return ([.. client.AllowedScopes], null);
        }

        // RFC 6749 §3.3: space-delimited, case-sensitive.
        var scopes = requested.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        var refused = scopes.Where(s => !client.AllowedScopes.Contains(s, StringComparer.Ordinal)).ToList();
        return refused.Count > 0
            ? ([], OAuthError.InvalidScope($"The client may not request the scope '{OAuthError.Printable(string.Join(' ', refused))}'."))
            : (scopes, null);
    }

    /// <summary>A bounded id: letters, digits, <c>-</c>, <c>_</c>, <c>.</c>, <c>@</c>; at most 128 characters.</summary>
    internal static bool IsIdentifier(string value)
        => value.Length is > 0 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@');

    private static OAuthError InvalidRefreshToken() => OAuthError.InvalidGrant("The refresh token is invalid, expired, revoked or was issued to another client.");

    private static OAuthError InvalidCode() => OAuthError.InvalidGrant("The authorization code is invalid, expired, already used or was issued to another client.");
}

/// <summary>PKCE (RFC 7636): verifier syntax and the S256 / plain comparison, in constant time.</summary>
internal static class Pkce
{
    public const string S256 = "S256";
    public const string Plain = "plain";

    /// <summary>RFC 7636 §4.1: 43–128 characters of the unreserved set.</summary>
    public static bool IsValidVerifier(string value)
        => value.Length is >= 43 and <= 128 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    /// <summary>RFC 7636 §4.2: a challenge has the verifier's syntax (an S256 one is 43 base64url characters).</summary>
    public static bool IsValidChallenge(string value, string method)
        => method == S256 ? value.Length == 43 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') : IsValidVerifier(value);

    public static bool Matches(string verifier, string challenge, string? method)
    {
        var expected = method == Plain ? verifier : Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(challenge));
    }
}
