namespace TokenAuth.Server;

/// <summary>How the members of a response are spelled.</summary>
public enum MemberNaming
{
    /// <summary><c>access_token</c>, <c>expires_in</c>, <c>error_description</c> (RFC 6749).</summary>
    SnakeCase,

    /// <summary><c>accessToken</c>, <c>expiresIn</c>, <c>errorDescription</c> (seed 002).</summary>
    CamelCase,
}
