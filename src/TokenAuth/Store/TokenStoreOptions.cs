namespace TokenAuth;

/// <summary>Options of the built-in token stores.</summary>
public sealed class TokenStoreOptions
{
    /// <summary>The prefix of every key, before the token's hash. Default <c>tokenauth:at:</c>.</summary>
    public string KeyPrefix { get; set; } = TokenAuthDefaults.StoreKeyPrefix;
}
