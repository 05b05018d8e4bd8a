using Microsoft.Extensions.Options;

namespace TokenAuth;

/// <summary>
/// Start-up check of <see cref="TokenStoreOptions"/> for the Redis and <c>IDistributedCache</c> stores (registered once,
/// whichever of them is added): a store without a key prefix would put bare hashes among the other keys of the cache.
/// </summary>
internal sealed class TokenStoreOptionsValidator : IValidateOptions<TokenStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenStoreOptions options)
        => string.IsNullOrEmpty(options.KeyPrefix)
            ? ValidateOptionsResult.Fail($"{nameof(TokenStoreOptions)}.{nameof(TokenStoreOptions.KeyPrefix)} must not be empty: it keeps the store's keys apart from the others in the cache.")
            : ValidateOptionsResult.Success;
}
