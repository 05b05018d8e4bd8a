namespace TokenAuth;

/// <summary>
/// Puts <see cref="TokenCache"/> in front of a validator: introspection answers (memory and Redis), validated JWTs and
/// store hits (memory only, when turned on). Concurrent lookups of one token make one call to <paramref name="inner"/>.
/// </summary>
internal sealed class CachedTokenValidator(ITokenValidator inner, TokenCache cache, TokenCache.Partition partition, TokenCachePolicy policy) : ITokenValidator
{
    internal ITokenValidator Inner => inner;

    public ValueTask<TokenCheckResult> ValidateAsync(string token, CancellationToken cancellationToken)
        => cache.GetOrValidateAsync(
            partition,
            token,
            policy,
            (inner, token),
            static (state, shared) => state.inner.ValidateAsync(state.token, shared),
            cancellationToken);
}
