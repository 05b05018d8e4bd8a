namespace TokenAuth.Server;

/// <summary>What a <see cref="TokenServerProfile"/>'s endpoint does.</summary>
public enum TokenServerEndpointKind
{
    /// <summary>Issues tokens (RFC 6749 §3.2): every grant type the profile allows.</summary>
    Token,

    /// <summary>The authorization endpoint (RFC 6749 §3.1): a login page, a consent page, then a redirect with a code or a token.</summary>
    Authorize,

    /// <summary>Answers what a token grants and how long it has left (seed 001's <c>tokens/check</c>).</summary>
    Check,

    /// <summary>Revokes a token (RFC 7009, and seed 001's <c>tokens/revoke</c>).</summary>
    Revoke,

    /// <summary>Token introspection (RFC 7662).</summary>
    Introspect,
}
