namespace TokenAuth.Server;

/// <summary>The grant types of RFC 6749.</summary>
public static class GrantTypes
{
    /// <summary><c>client_credentials</c> (RFC 6749 §4.4).</summary>
    public const string ClientCredentials = "client_credentials";

    /// <summary><c>refresh_token</c> (RFC 6749 §6).</summary>
    public const string RefreshToken = "refresh_token";
}
