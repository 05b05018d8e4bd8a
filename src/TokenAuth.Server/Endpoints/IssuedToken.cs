namespace TokenAuth.Server;

/// <summary>What the issuer hands back for one successful grant.</summary>
internal sealed record IssuedToken(string AccessToken, TokenInfo Info, string? RefreshToken = null)
{
    public TokenAnswer ToAnswer() => new(AccessToken, Info.ExpiresAt!.Value - Info.IssuedAt!.Value, Info.Scopes, RefreshToken);
}

/// <summary>The family a new token joins: its id, when the family ends, and whether a refresh token is issued with it.</summary>
internal sealed record FamilyGrant(string FamilyId, DateTimeOffset ExpiresAt, bool WithRefreshToken);
