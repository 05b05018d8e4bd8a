namespace TokenAuth;

/// <summary>Default values used by TokenAuth authentication.</summary>
public static class TokenAuthDefaults
{
    /// <summary>The default authentication scheme name: <c>TokenAuth</c>.</summary>
    public const string AuthenticationScheme = "TokenAuth";

    /// <summary>The default display name of the scheme.</summary>
    public const string DisplayName = "Access token";

    /// <summary>The scheme word of the <c>Authorization</c> header (RFC 6750 §2.1), matched case-insensitively.</summary>
    public const string BearerScheme = "Bearer";

    /// <summary>The parameter name of RFC 6750 §2.2 (form) and §2.3 (query): <c>access_token</c>.</summary>
    public const string AccessTokenParameter = "access_token";

    /// <summary>The custom header open platforms use for the token: <c>Access-Token</c>.</summary>
    public const string AccessTokenHeader = "Access-Token";

    /// <summary>The default upper bound of a token's length in characters (8 KiB).</summary>
    public const int MaxTokenLength = 8 * 1024;

    /// <summary>The default upper bound of a form body read in search of a token (64 KiB).</summary>
    public const int MaxFormBodyLength = 64 * 1024;

    /// <summary>The default key prefix of token-store entries.</summary>
    public const string StoreKeyPrefix = "tokenauth:at:";

    /// <summary>
    /// The prefix of every entry of TokenAuth's validation cache: <c>tokenauth:c:&lt;kind&gt;:&lt;SHA-256 hex&gt;</c>, where
    /// the kind is <c>introspection</c>, <c>jwt</c> or <c>store</c>.
    /// </summary>
    public const string CacheKeyPrefix = "tokenauth:c:";

    /// <summary>
    /// The service key of TokenAuth's own <c>HybridCache</c> and of its second-level <c>IDistributedCache</c>
    /// (registered by <c>AddTokenAuthRedisCache</c>), so that the host's own caches are untouched.
    /// </summary>
    public const string CacheServiceKey = "TokenAuth";

    /// <summary>
    /// The name of the introspection backchannel's <see cref="System.Net.Http.HttpClient"/>, followed by a dot and the scheme
    /// name: <c>TokenAuth.Introspection.TokenAuth</c> for the default scheme. Configure it further with
    /// <c>services.AddHttpClient(name)</c> (a proxy, a primary handler).
    /// </summary>
    public const string IntrospectionHttpClientName = "TokenAuth.Introspection";
}
