namespace TokenAuth.Server;

/// <summary>
/// A refresh token or an authorization code as the <see cref="IGrantStore"/> keeps it: what the tokens issued
/// from it say, until when it may be redeemed, and what a code is bound to (RFC 6749 §4.1.3, RFC 7636).
/// </summary>
public sealed record GrantRecord
{
    /// <summary>Refresh token or authorization code.</summary>
    public required GrantKind Kind { get; init; }

    /// <summary>The family: every token descended from the same original grant shares it.</summary>
    public required string FamilyId { get; init; }

    /// <summary>What tokens issued from this grant say: subject, client, scopes, tenant, claims (no expiry).</summary>
    public required TokenInfo Token { get; init; }

    /// <summary>The instant from which the grant can no longer be redeemed.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>
    /// How long the store keeps the record, consumed or not (≥ <see cref="ExpiresAt"/>): long enough to recognise
    /// a replay for as long as the tokens it issued may live.
    /// </summary>
    public required DateTimeOffset RetainUntil { get; init; }

    /// <summary>When the grant was redeemed; <see langword="null"/> while it is unused.</summary>
    public DateTimeOffset? ConsumedAt { get; init; }

    /// <summary>
    /// When the redemption that consumed the grant completed (<see cref="IGrantStore.CompleteAsync"/>); <see langword="null"/>
    /// while it runs. A consumed grant presented again while its redemption runs is a concurrent duplicate; once it has
    /// completed, a replay.
    /// </summary>
    public DateTimeOffset? RedeemedAt { get; init; }

    /// <summary>For a code: the <c>redirect_uri</c> of the authorization request, if it carried one.</summary>
    public string? RedirectUri { get; init; }

    /// <summary>For a code: the PKCE <c>code_challenge</c> (RFC 7636 §4.2), if any.</summary>
    public string? CodeChallenge { get; init; }

    /// <summary>For a code: <c>S256</c> or <c>plain</c>, when <see cref="CodeChallenge"/> is set.</summary>
    public string? CodeChallengeMethod { get; init; }
}

/// <summary>The kinds of grant an <see cref="IGrantStore"/> keeps.</summary>
public enum GrantKind
{
    /// <summary>A refresh token (RFC 6749 §6).</summary>
    RefreshToken,

    /// <summary>An authorization code (RFC 6749 §4.1).</summary>
    AuthorizationCode,
}

/// <summary>One token of a grant family: an access token (in the <see cref="ITokenStore"/>) or a grant handle (in the <see cref="IGrantStore"/>).</summary>
/// <param name="Kind">Which store holds it.</param>
/// <param name="Hash">Its hash.</param>
public readonly record struct FamilyMember(FamilyMemberKind Kind, TokenHash Hash);

/// <summary>Where a <see cref="FamilyMember"/> lives.</summary>
public enum FamilyMemberKind
{
    /// <summary>An access token in the <see cref="ITokenStore"/>.</summary>
    AccessToken,

    /// <summary>A refresh token or code in the <see cref="IGrantStore"/>.</summary>
    Grant,
}
