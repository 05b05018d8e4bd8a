namespace TokenAuth;

/// <summary>
/// Thrown from a cache factory to hand every waiting caller a result that must not be stored (an outage, an answer not
/// worth keeping): HybridCache stores nothing when its factory throws, so the next request asks again.
/// </summary>
internal sealed class TokenCacheBypassException(TokenValidationResult result) : Exception(result.Failure)
{
    public TokenValidationResult Result { get; } = result;
}
