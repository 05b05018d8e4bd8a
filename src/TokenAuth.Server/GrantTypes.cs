namespace TokenAuth.Server;

/// <summary>The grant types of RFC 6749, as <see cref="TokenClient.AllowedGrantTypes"/> names them.</summary>
public static class GrantTypes
{
    /// <summary><c>client_credentials</c> (RFC 6749 §4.4).</summary>
    public const string ClientCredentials = "client_credentials";

    /// <summary><c>refresh_token</c> (RFC 6749 §6).</summary>
    public const string RefreshToken = "refresh_token";

    /// <summary><c>authorization_code</c> (RFC 6749 §4.1), with PKCE (RFC 7636).</summary>
    public const string AuthorizationCode = "authorization_code";

    /// <summary>
    /// <c>password</c> (RFC 6749 §4.3). RFC 9700 §2.4 says not to use it; a client may only when it lists it.
    /// </summary>
    public const string Password = "password";

    /// <summary>
    /// <c>implicit</c>: <c>response_type=token</c> at the authorization endpoint (RFC 6749 §4.2). RFC 9700 §2.1.2 says
    /// not to use it; a client may only when it lists it.
    /// </summary>
    public const string Implicit = "implicit";
}
