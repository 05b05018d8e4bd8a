using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace TokenAuth;

/// <summary>
/// A <see cref="JwtClaimMapping"/> compiled once: for each claim type, which field it may fill and how early its mapping
/// lists it. A field takes the claim of the type listed first that the token has (<c>sub</c> before <c>user_id</c>…);
/// only that type counts as used, claims of the other listed types stay in <see cref="TokenInfo.Claims"/>.
/// </summary>
internal sealed class ClaimPlan
{
    public const int Subject = 0;
    public const int Name = 1;
    public const int ClientId = 2;
    public const int TenantId = 3;
    private const int Scope = 4;
    private const int Roles = 5;
    private const int Expiration = 6;
    private const int NotBefore = 7;
    private const int IssuedAt = 8;
    private const int FieldCount = 9;

    private readonly Dictionary<string, (int Field, int Rank)> _slots = new(StringComparer.Ordinal);

    private ClaimPlan()
    {
    }

    public static ClaimPlan For(JwtClaimMapping mapping)
    {
        var plan = new ClaimPlan();
        plan.Add(Subject, mapping.Subject);
        plan.Add(Name, mapping.Name);
        plan.Add(ClientId, mapping.ClientId);
        plan.Add(TenantId, mapping.TenantId);
        plan.Add(Scope, mapping.Scope);
        plan.Add(Roles, mapping.Roles);
        plan.Add(Expiration, [mapping.Expiration]);
        plan.Add(NotBefore, [JwtRegisteredClaimNames.Nbf]);
        plan.Add(IssuedAt, [JwtRegisteredClaimNames.Iat]);
        return plan;
    }

    /// <summary>Takes <paramref name="claim"/> into the field its type maps to, if it ranks before what the field has.</summary>
    public void Offer(ref Found found, Claim claim)
    {
        if (!_slots.TryGetValue(claim.Type, out var slot))
        {
            return;
        }

        found.Ranks ??= new int[FieldCount];
        found.Types ??= new string?[FieldCount];
        var rank = slot.Rank + 1;
        var current = found.Ranks[slot.Field];
        if (current != 0 && current < rank)
        {
            return;
        }

        switch (slot.Field)
        {
            case Scope or Roles:
                // Every claim of the chosen type: a type listed earlier replaces what a later one gathered.
                ref var list = ref slot.Field == Scope ? ref found.Scopes : ref found.Roles;
                if (current != rank)
                {
                    list = [];
                }

                list!.Add(claim.Value);
                break;
            case Expiration:
                found.Expiration = claim.Value;
                break;
            case NotBefore:
                found.NotBefore = claim.Value;
                break;
            case IssuedAt:
                found.IssuedAt = claim.Value;
                break;
            default:
                if (current == rank)
                {
                    // The first claim of the type wins.
                    return;
                }

                found.Values[slot.Field] = claim.Value;
                break;
        }

        found.Ranks[slot.Field] = rank;
        found.Types[slot.Field] = claim.Type;
    }

    private void Add(int field, IList<string> types)
    {
        for (var i = 0; i < types.Count; i++)
        {
            // A type listed for two fields serves the first; the mapping's order decides within a field.
            _slots.TryAdd(types[i], (field, i));
        }
    }

    /// <summary>What one token's claims filled.</summary>
    public struct Found
    {
        public Found()
        {
        }

        public string?[] Values { get; } = new string?[4];

        public List<string>? Scopes;

        public List<string>? Roles;

        public string? Expiration;

        public string? NotBefore;

        public string? IssuedAt;

        internal int[]? Ranks;

        internal string?[]? Types;

        /// <summary>Whether a claim of <paramref name="type"/> went into a field (so it is not an extra claim).</summary>
        public readonly bool Uses(string type, ClaimPlan plan)
        {
            if (Types is null || !plan._slots.TryGetValue(type, out var slot))
            {
                return false;
            }

            return string.Equals(Types[slot.Field], type, StringComparison.Ordinal);
        }
    }
}
