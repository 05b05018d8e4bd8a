using Microsoft.Extensions.Logging;

namespace TokenAuth.Server;

/// <summary>Log lines of the token server. Tokens are named by hash prefix; secrets and passwords never appear.</summary>
internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Information, "Issued access token {TokenHash} to client {ClientId} ({GrantType}) with scopes '{Scopes}'.", EventName = "TokenIssued")]
    public static partial void TokenIssued(ILogger logger, string clientId, string tokenHash, string grantType, string scopes);

    [LoggerMessage(2002, LogLevel.Information, "Request to {Profile} refused: {Error}: {Description}", EventName = "TokenRequestRefused")]
    public static partial void RequestRefused(ILogger logger, string profile, string error, string description);

    [LoggerMessage(2003, LogLevel.Error, "A token or grant store is unavailable ({Profile}).", EventName = "TokenStoreUnavailable")]
    public static partial void StoreUnavailable(ILogger logger, string profile, Exception exception);

    [LoggerMessage(2004, LogLevel.Warning, "A used {GrantKind} was presented again by client {ClientId}: grant family {FamilyId} is revoked (RFC 9700 §4.14.2).", EventName = "GrantReplayed")]
    public static partial void GrantReplayed(ILogger logger, string clientId, string grantKind, string familyId);

    [LoggerMessage(2005, LogLevel.Information, "Client {ClientId} revoked {TokenKind} {TokenHash}.", EventName = "TokenRevoked")]
    public static partial void TokenRevoked(ILogger logger, string clientId, string tokenHash, string tokenKind);

    [LoggerMessage(2006, LogLevel.Information, "Issued an authorization code to client {ClientId} for user {UserId}.", EventName = "CodeIssued")]
    public static partial void CodeIssued(ILogger logger, string clientId, string userId);

    [LoggerMessage(2007, LogLevel.Information, "Issued access token {TokenHash} to client {ClientId} for user {UserId} (implicit grant).", EventName = "ImplicitTokenIssued")]
    public static partial void ImplicitTokenIssued(ILogger logger, string clientId, string tokenHash, string userId);

    [LoggerMessage(2008, LogLevel.Information, "Authorization request refused: {Error}: {Description}", EventName = "AuthorizationRefused")]
    public static partial void AuthorizationRefused(ILogger logger, string error, string description);

    [LoggerMessage(2009, LogLevel.Information, "User {UserId} signed in at the authorization endpoint for client {ClientId}.", EventName = "UserSignedIn")]
    public static partial void UserSignedIn(ILogger logger, string userId, string clientId);

    [LoggerMessage(2010, LogLevel.Warning, "The authorization endpoint's sign-in cookie is Secure (the host is not in Development) but the request is not HTTPS: a browser will not send it back. Serve the endpoint over HTTPS, or forward the scheme from the proxy (UseForwardedHeaders).", EventName = "InsecureLoginCookie")]
    public static partial void InsecureLoginCookie(ILogger logger);

    [LoggerMessage(2011, LogLevel.Debug, "Client {ClientId} presented the same {GrantKind} twice at once; the other request redeemed it.", EventName = "GrantRaceLost")]
    public static partial void GrantRaceLost(ILogger logger, string clientId, string grantKind);
}
