namespace TokenAuth;

/// <summary>
/// Chooses a validator by the token's shape: three base64url segments go to the JWT validator,
/// anything else to the opaque-token validator (store or introspection).
/// </summary>
internal sealed class CompositeTokenValidator(ITokenValidator jwt, ITokenValidator opaque) : ITokenValidator
{
    public ValueTask<TokenValidationResult> ValidateAsync(string token, CancellationToken cancellationToken)
        => TokenShape.LooksLikeJwt(token) ? jwt.ValidateAsync(token, cancellationToken) : opaque.ValidateAsync(token, cancellationToken);
}
