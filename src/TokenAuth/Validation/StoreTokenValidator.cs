using Microsoft.Extensions.Logging;

namespace TokenAuth;

/// <summary>Validates opaque tokens by looking up their hash in the <see cref="ITokenStore"/>.</summary>
internal sealed class StoreTokenValidator(ITokenStore store, TimeProvider timeProvider, ILogger<StoreTokenValidator> logger) : ITokenValidator
{
    public async ValueTask<TokenValidationResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var hash = TokenHash.Compute(token);
        TokenInfo? info;
        try
        {
            info = await store.FindAsync(hash, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Fail closed: an unreachable store is neither a valid nor an invalid token.
            Log.StoreUnavailable(logger, hash.Prefix, ex);
            return TokenValidationResult.Unavailable("The token store is temporarily unavailable.", ex);
        }

        if (info is null)
        {
            return TokenValidationResult.Unknown("The token is unknown, revoked or expired.");
        }

        if (info.ExpiresAt is { } expiresAt && expiresAt <= timeProvider.GetUtcNow())
        {
            return TokenValidationResult.Invalid(Messages.Expired(expiresAt));
        }

        return TokenValidationResult.Valid(info);
    }
}
