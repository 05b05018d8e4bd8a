namespace TokenAuth;

/// <summary>The error codes TokenAuth answers with (RFC 6750 §3.1, and RFC 6749's <c>temporarily_unavailable</c>).</summary>
public static class TokenAuthErrors
{
    /// <summary>The request is malformed: e.g. two different tokens (400).</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>The token is expired, revoked, malformed or otherwise invalid (401).</summary>
    public const string InvalidToken = "invalid_token";

    /// <summary>The token lacks a scope the resource requires (403).</summary>
    public const string InsufficientScope = "insufficient_scope";

    /// <summary>A backend could not check the token (503 with <c>Retry-After</c>).</summary>
    public const string TemporarilyUnavailable = "temporarily_unavailable";

    /// <summary>The caller may not do this (a tenant it is not bound to, a user it may not become): 403.</summary>
    public const string AccessDenied = "access_denied";

    /// <summary>The user or tenant the request names does not exist: 404.</summary>
    public const string NotFound = "not_found";
}
