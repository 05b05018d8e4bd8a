using System.Security.Claims;

namespace TokenAuth;

/// <summary>Immutable, so that the common one (no saved token, no sudo, no tenant) is shared by the requests of one TokenInfo.</summary>
internal sealed class TokenAuthFeature(TokenSource source, string? token, TokenInfo tokenInfo) : ITokenAuthFeature
{
    public TokenSource Source { get; } = source;

    public string? Token { get; } = token;

    public TokenInfo TokenInfo { get; } = tokenInfo;

    public ClaimsPrincipal? OriginalPrincipal { get; init; }

    public TenantInfo? Tenant { get; init; }
}
