namespace TokenAuth.Server;

/// <summary>The error codes of RFC 6749 §5.2.</summary>
public static class OAuthErrors
{
    /// <summary><c>invalid_request</c>: a parameter is missing, repeated or malformed.</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary><c>invalid_client</c>: client authentication failed (401).</summary>
    public const string InvalidClient = "invalid_client";

    /// <summary><c>invalid_grant</c>: the grant (e.g. a refresh token) is invalid, expired or revoked.</summary>
    public const string InvalidGrant = "invalid_grant";

    /// <summary><c>unauthorized_client</c>: the client may not use this grant type.</summary>
    public const string UnauthorizedClient = "unauthorized_client";

    /// <summary><c>unsupported_grant_type</c>: the server does not support the grant type.</summary>
    public const string UnsupportedGrantType = "unsupported_grant_type";

    /// <summary><c>invalid_scope</c>: a requested scope is unknown or not allowed to the client.</summary>
    public const string InvalidScope = "invalid_scope";

    /// <summary><c>temporarily_unavailable</c>: the token store could not be reached (503).</summary>
    public const string TemporarilyUnavailable = "temporarily_unavailable";

    /// <summary><c>invalid_token</c>: the token a check names is unknown, revoked or expired (RFC 6750 §3.1).</summary>
    public const string InvalidToken = "invalid_token";

    /// <summary><c>unsupported_token_type</c>: the server cannot revoke this kind of token (RFC 7009 §2.2.1), e.g. a self-contained JWT.</summary>
    public const string UnsupportedTokenType = "unsupported_token_type";

    /// <summary><c>unsupported_response_type</c> (RFC 6749 §4.1.2.1).</summary>
    public const string UnsupportedResponseType = "unsupported_response_type";

    /// <summary><c>access_denied</c>: the user refused consent (RFC 6749 §4.1.2.1).</summary>
    public const string AccessDenied = "access_denied";

    /// <summary><c>server_error</c> (RFC 6749 §4.1.2.1).</summary>
    public const string ServerError = "server_error";
}
