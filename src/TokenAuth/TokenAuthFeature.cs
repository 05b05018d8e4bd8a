using System.Security.Claims;

namespace TokenAuth;

internal sealed class TokenAuthFeature(TokenSource source, string? token, TokenInfo tokenInfo) : ITokenAuthFeature
{
    public TokenSource Source { get; } = source;

    public string? Token { get; } = token;

    public TokenInfo TokenInfo { get; } = tokenInfo;

    public ClaimsPrincipal? OriginalPrincipal { get; set; }

    public TenantInfo? Tenant { get; set; }
}
