using Microsoft.Extensions.Options;

namespace TokenAuth;

/// <summary>Start-up check of <see cref="TokenCacheOptions"/>: a bad value fails the host's start, not its first request.</summary>
internal sealed class TokenCacheOptionsValidator : IValidateOptions<TokenCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenCacheOptions options)
    {
        var failures = new List<string>(2);
        // Zero would turn every second-level read into a miss; Task.WaitAsync refuses negative deadlines but -1 ms (infinite).
        if (options.DistributedCacheTimeout <= TimeSpan.Zero && options.DistributedCacheTimeout != Timeout.InfiniteTimeSpan)
        {
            failures.Add($"{nameof(TokenCacheOptions)}.{nameof(TokenCacheOptions.DistributedCacheTimeout)} must be positive (or Timeout.InfiniteTimeSpan); it is {options.DistributedCacheTimeout}.");
        }

        if (options.MemoryEntryLimit < 0)
        {
            failures.Add($"{nameof(TokenCacheOptions)}.{nameof(TokenCacheOptions.MemoryEntryLimit)} must not be negative (zero keeps no answer in memory); it is {options.MemoryEntryLimit}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
