using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;

namespace TokenAuth;

/// <summary>
/// A store over <see cref="IDistributedCache"/> (Redis in production): key = prefix + SHA-256 of the
/// token, value = <see cref="TokenInfo"/> as JSON, absolute expiry = the token's expiry. Backend
/// errors propagate; the store validator reports them as unavailable (503).
/// </summary>
internal sealed class DistributedCacheTokenStore(IDistributedCache cache, IOptions<TokenStoreOptions> options, TimeProvider timeProvider, bool ownsCache) : ITokenStore, IDisposable
{
    private readonly string _prefix = options.Value.KeyPrefix;

    public Task SaveAsync(TokenHash hash, TokenInfo info, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        var expiresAt = info.ExpiresAt ?? throw new ArgumentException("A stored token must have an expiry.", nameof(info));
        var lifetime = expiresAt - timeProvider.GetUtcNow();
        if (lifetime <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        // Relative expiry: the cache's clock decides, so a skew between this node and Redis cannot stretch a lifetime.
        var entryOptions = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime };
        return cache.SetAsync(Key(hash), TokenInfoSerializer.Serialize(info), entryOptions, cancellationToken);
    }

    public async Task<TokenInfo?> FindAsync(TokenHash hash, CancellationToken cancellationToken = default)
    {
        var bytes = await cache.GetAsync(Key(hash), cancellationToken);
        return bytes is null ? null : TokenInfoSerializer.Deserialize(bytes);
    }

    public Task RemoveAsync(TokenHash hash, CancellationToken cancellationToken = default)
        => cache.RemoveAsync(Key(hash), cancellationToken);

    /// <summary>A read of a key no token hashes to (for the health check): the cache answers, or it throws.</summary>
    internal Task ProbeAsync(CancellationToken cancellationToken) => cache.GetAsync(_prefix + "health", cancellationToken);

    public void Dispose()
    {
        if (ownsCache && cache is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    private string Key(TokenHash hash) => string.Concat(_prefix, hash.Value);
}
