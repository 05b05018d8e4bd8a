namespace TokenAuth.Server;

/// <summary>The claims the token server adds to the tokens it issues, beside those of <c>TokenAuthClaimTypes</c>.</summary>
public static class TokenServerClaimTypes
{
    /// <summary><c>preferred_username</c>: the name a user signs in with (OpenID Connect Core §5.1).</summary>
    public const string PreferredUserName = "preferred_username";

    /// <summary><c>user_type</c>: seed 004's <c>userType</c>, as the client gave it.</summary>
    public const string UserType = "user_type";

    /// <summary><c>account_type</c>: seed 003's <c>account_type</c>, as the client gave it.</summary>
    public const string AccountType = "account_type";
}
