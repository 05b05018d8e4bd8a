namespace TokenAuth.Server;

/// <summary>
/// The canonical names of request parameters (RFC 6749, 7009, 7636, 7662, and the seeds' extensions).
/// A <see cref="TokenServerProfile"/> maps them to the names its clients send (<c>client_id</c> → <c>clientId</c>).
/// </summary>
public static class OAuthParameters
{
    /// <summary><c>grant_type</c>.</summary>
    public const string GrantType = "grant_type";

    /// <summary><c>client_id</c>.</summary>
    public const string ClientId = "client_id";

    /// <summary><c>client_secret</c>.</summary>
    public const string ClientSecret = "client_secret";

    /// <summary><c>scope</c>.</summary>
    public const string Scope = "scope";

    /// <summary><c>refresh_token</c>.</summary>
    public const string RefreshToken = "refresh_token";

    /// <summary><c>code</c> (RFC 6749 §4.1.3).</summary>
    public const string Code = "code";

    /// <summary><c>redirect_uri</c>.</summary>
    public const string RedirectUri = "redirect_uri";

    /// <summary><c>code_verifier</c> (RFC 7636 §4.5).</summary>
    public const string CodeVerifier = "code_verifier";

    /// <summary><c>code_challenge</c> (RFC 7636 §4.3).</summary>
    public const string CodeChallenge = "code_challenge";

    /// <summary><c>code_challenge_method</c> (RFC 7636 §4.3).</summary>
    public const string CodeChallengeMethod = "code_challenge_method";

    /// <summary><c>response_type</c> (RFC 6749 §3.1.1).</summary>
    public const string ResponseType = "response_type";

    /// <summary><c>state</c>.</summary>
    public const string State = "state";

    /// <summary><c>username</c> (password grant).</summary>
    public const string Username = "username";

    /// <summary><c>password</c> (password grant).</summary>
    public const string Password = "password";

    /// <summary><c>token</c> (RFC 7009, RFC 7662, seed 001's check and revoke).</summary>
    public const string Token = "token";

    /// <summary><c>token_type_hint</c> (RFC 7009 §2.1).</summary>
    public const string TokenTypeHint = "token_type_hint";

    /// <summary><c>user_id</c>: the user a client asks a token for (seed 002's <c>userId</c>).</summary>
    public const string UserId = "user_id";

    /// <summary><c>user_type</c> (seed 004's <c>userType</c>).</summary>
    public const string UserType = "user_type";

    /// <summary><c>account_type</c> (seed 003's password grant).</summary>
    public const string AccountType = "account_type";
}
