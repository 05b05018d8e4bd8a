using Microsoft.Extensions.Logging;

namespace TokenAuth;

/// <summary>
/// Validates opaque tokens by looking up their hash in the <see cref="ITokenStore"/>, within the store's deadline and
/// circuit (<paramref name="guard"/>).
/// </summary>
internal sealed class StoreTokenValidator(ITokenStore store, TimeProvider timeProvider, BackendGuard guard, ILogger<StoreTokenValidator> logger) : ITokenValidator
{
    public async ValueTask<TokenCheckResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var hash = TokenHash.Compute(token);
        var found = await guard.CallAsync(
            static (s, ct) => new ValueTask<TokenInfo?>(s.store.FindAsync(s.hash, ct)), (store, hash), logger, cancellationToken);
        if (!found.Succeeded)
        {
            // Fail closed: an unreachable, slow or down store is neither a valid nor an invalid token.
            if (found.Outcome == BackendOutcome.Faulted)
            {
                Log.StoreUnavailable(logger, hash.Prefix, LogRedaction.Redact(found.Exception!));
            }

            return TokenCheckResult.Unavailable("The token store is temporarily unavailable.", found.Exception, found.RetryAfter);
        }

        var info = found.Value;

        if (info is null)
        {
            return TokenCheckResult.Unknown("The token is unknown, revoked or expired.");
        }

        if (info.ExpiresAt is { } expiresAt && expiresAt <= timeProvider.GetUtcNow())
        {
            return TokenCheckResult.Invalid(Messages.Expired(expiresAt));
        }

        return TokenCheckResult.Valid(info);
    }
}
