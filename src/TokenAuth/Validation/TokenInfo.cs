namespace TokenAuth;

/// <summary>
/// What a validated token says: who it was issued to, for which client, with which scopes, until when.
/// Validators produce it, the token store persists it (keyed by the token's hash; in Redis in a compact binary form), and the
/// handler builds the <see cref="System.Security.Claims.ClaimsPrincipal"/> from it.
/// </summary>
public sealed record TokenInfo
{
    /// <summary>The subject (<c>sub</c>): the user, or the client itself for client-credentials tokens.</summary>
    public string? Subject { get; init; }

    /// <summary>A display name of the subject, if known.</summary>
    public string? Name { get; init; }

    /// <summary>The OAuth client the token was issued to (<c>client_id</c>).</summary>
    public string? ClientId { get; init; }

    /// <summary>The granted scopes, one entry each.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>Roles of the subject, one entry each.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The tenant the token is bound to, if any (<c>tenant_id</c>).</summary>
    public string? TenantId { get; init; }

    /// <summary>When the token was issued.</summary>
    public DateTimeOffset? IssuedAt { get; init; }

    /// <summary>The instant before which the token must not be accepted, if any.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    /// <summary>
    /// The instant from which the token is no longer accepted. Checked on every request, cached or not.
    /// <see langword="null"/> means the token does not expire, which only a custom validator can produce.
    /// </summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Further claims carried by the token.</summary>
    public IReadOnlyList<TokenClaim> Claims { get; init; } = [];

    // What every request derives from this instance, made once: a cached TokenInfo serves many requests.
    private DerivedSlot _derived;

    /// <summary>The values derived from this instance (its validation result, formatted dates), made on first use.</summary>
    internal TokenInfoDerived Derived
    {
        get
        {
            var derived = _derived.Value;
            if (derived is null || !ReferenceEquals(derived.Owner, this))
            {
                // First use, or a copy (with) that carried its original's: make this instance's own. A race makes two
                // equal ones; either serves.
                derived = new TokenInfoDerived(this);
                _derived = new DerivedSlot(derived);
            }

            return derived;
        }
    }

    /// <summary>Holds the derived values outside the record's equality: two records equal by their data stay equal.</summary>
    private readonly struct DerivedSlot(TokenInfoDerived value) : IEquatable<DerivedSlot>
    {
        public TokenInfoDerived? Value { get; } = value;

        public bool Equals(DerivedSlot other) => true;

        public override bool Equals(object? obj) => obj is DerivedSlot;

        public override int GetHashCode() => 0;
    }
}

/// <summary>
/// What the handler makes of a <see cref="TokenInfo"/> on every request — its <see cref="TokenCheckResult"/>, the
/// principal's <c>exp</c> claim, the ticket's dates — made once per instance instead. TokenInfo is immutable, so these are too.
/// </summary>
internal sealed class TokenInfoDerived(TokenInfo owner)
{
    private TokenCheckResult? _valid;
    private string? _expiration;
    private string? _expiresText;
    private string? _issuedText;
    private TokenAuthFeature? _feature;

    /// <summary>The instance these values were made from.</summary>
    public TokenInfo Owner { get; } = owner;

    /// <summary>The valid result of <see cref="Owner"/>.</summary>
    public TokenCheckResult Valid => _valid ??= TokenCheckResult.CreateValid(Owner);

    /// <summary>The <c>exp</c> claim's value: Unix seconds of <see cref="TokenInfo.ExpiresAt"/>; null without one.</summary>
    public string? Expiration => Owner.ExpiresAt is { } at ? _expiration ??= at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary><see cref="TokenInfo.ExpiresAt"/> as <c>AuthenticationProperties</c> stores it (RFC 1123, <c>"r"</c>).</summary>
    public string? ExpiresText => Owner.ExpiresAt is { } at ? _expiresText ??= at.ToString("r", System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary><see cref="TokenInfo.IssuedAt"/> as <c>AuthenticationProperties</c> stores it (RFC 1123, <c>"r"</c>).</summary>
    public string? IssuedText => Owner.IssuedAt is { } at ? _issuedText ??= at.ToString("r", System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>The request feature of a token found in <paramref name="source"/>, with no saved token, no sudo and no tenant.</summary>
    public TokenAuthFeature Feature(TokenSource source)
    {
        var feature = _feature;
        if (feature is null || feature.Source != source)
        {
            _feature = feature = new TokenAuthFeature(source, null, Owner);
        }

        return feature;
    }
}
