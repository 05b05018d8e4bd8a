namespace TokenAuth;

/// <summary>The three answers a token validator can give.</summary>
public enum TokenCheckStatus
{
    /// <summary>The token is valid; <see cref="TokenCheckResult.Info"/> describes it.</summary>
    Valid,

    /// <summary>The token is not valid (unknown, revoked, expired, bad signature, malformed…): 401.</summary>
    Invalid,

    /// <summary>The backend could not answer (store or authority down): 503 with <c>Retry-After</c>, never 401.</summary>
    Unavailable,
}
