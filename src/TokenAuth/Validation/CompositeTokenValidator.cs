namespace TokenAuth;

/// <summary>
/// Chooses by the token's shape and by what is configured: three base64url segments go to the JWT validator when there
/// is one; anything else to the token store, and — when the store does not know the token and introspection is set up —
/// to the authorization server; without a store, to the authorization server alone. A store that cannot answer stays a
/// 503: an outage is not a reason to ask somebody else.
/// </summary>
internal sealed class CompositeTokenValidator(ITokenValidator? jwt, ITokenValidator? store, ITokenValidator? introspection) : ITokenValidator
{
    public ValueTask<TokenCheckResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (jwt is not null && (TokenShape.LooksLikeJwt(token) || (store is null && introspection is null)))
        {
            return jwt.ValidateAsync(token, cancellationToken);
        }

        if (store is null)
        {
            return introspection!.ValidateAsync(token, cancellationToken);
        }

        return introspection is null ? store.ValidateAsync(token, cancellationToken) : StoreThenIntrospectionAsync(store, introspection, token, cancellationToken);
    }

    /// <summary>One validator for what is configured, or <see langword="null"/> when nothing is.</summary>
    public static ITokenValidator? For(ITokenValidator? jwt, ITokenValidator? store, ITokenValidator? introspection)
        => (jwt, store, introspection) switch
        {
            (null, null, null) => null,
            (not null, null, null) => jwt,
            (null, not null, null) => store,
            (null, null, not null) => introspection,
            _ => new CompositeTokenValidator(jwt, store, introspection),
        };

    private static async ValueTask<TokenCheckResult> StoreThenIntrospectionAsync(ITokenValidator store, ITokenValidator introspection, string token, CancellationToken cancellationToken)
    {
        var result = await store.ValidateAsync(token, cancellationToken);
        return result.IsUnknown ? await introspection.ValidateAsync(token, cancellationToken) : result;
    }
}
