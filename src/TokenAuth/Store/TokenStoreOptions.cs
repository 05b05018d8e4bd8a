namespace TokenAuth;

/// <summary>Options of the built-in token stores.</summary>
public sealed class TokenStoreOptions
{
    /// <summary>
    /// The prefix of every key, before the token's hash. Default <c>tokenauth:at:</c>. The Redis store
    /// (<c>AddTokenAuthRedisStore</c>) appends the hash in base64url (43 characters), the store over the host's
    /// <c>IDistributedCache</c> (<c>AddTokenAuthDistributedStore</c>) in hex (64), as every store did before.
    /// </summary>
    public string KeyPrefix { get; set; } = TokenAuthDefaults.StoreKeyPrefix;

    /// <summary>
    /// Whether the Redis store also finds, and removes, entries written before its compact format: a hash under
    /// <see cref="KeyPrefix"/> + 64 hex digits whose <c>data</c> field holds the token as JSON. Default <see langword="true"/>.
    /// A lookup then asks Redis for both keys in one round trip, and a save or removal deletes the old key too. Turn it off
    /// once the longest token lifetime has passed since the upgrade (every node runs the new version by then): no entry
    /// of the old format is left, and each call is one command again.
    /// </summary>
    public bool ReadLegacyEntries { get; set; } = true;
}
