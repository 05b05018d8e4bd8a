using System.Runtime.CompilerServices;

namespace TokenAuth.Server;

/// <summary>What the built-in grant stores check and keep alike, so that moving from memory to Redis changes nothing.</summary>
internal static class GrantStoreRules
{
    /// <summary>
    /// The shortest time a revoked family is remembered, even one that had no member or only expired ones: a
    /// rotation that consumed its grant just before the revocation adds its new tokens moments later, and must be
    /// told to withdraw them (<see cref="IGrantStore.AddToFamilyAsync"/> answers <see langword="false"/>).
    /// </summary>
    public static readonly TimeSpan RevokedFamilyRetention = TimeSpan.FromHours(1);

    /// <summary>The handle's hex, refusing <c>default(TokenHash)</c> (it has no value and would address nothing, or everything).</summary>
    public static string Key(TokenHash handle, [CallerArgumentExpression(nameof(handle))] string? parameter = null)
        => handle.Value ?? throw new ArgumentException("The hash is empty.", parameter);

    /// <summary>Refuses a member a revocation could not route: an empty hash or an undefined kind.</summary>
    public static void Validate(FamilyMember member, [CallerArgumentExpression(nameof(member))] string? parameter = null)
    {
        Key(member.Hash, parameter);
        if (!Enum.IsDefined(member.Kind))
        {
            throw new ArgumentException($"{nameof(FamilyMember.Kind)} is not a {nameof(FamilyMemberKind)}.", parameter);
        }
    }

    /// <summary>Refuses a record the contract rules out before it reaches a store.</summary>
    public static void Validate(GrantRecord grant, [CallerArgumentExpression(nameof(grant))] string? parameter = null)
    {
        ArgumentNullException.ThrowIfNull(grant, parameter);
        if (string.IsNullOrEmpty(grant.FamilyId))
        {
            throw new ArgumentException($"{nameof(GrantRecord.FamilyId)} is required.", parameter);
        }

        if (grant.Token is null)
        {
            throw new ArgumentException($"{nameof(GrantRecord.Token)} is required.", parameter);
        }

        // A replay must be recognised for as long as the grant could be redeemed (GrantRecord.RetainUntil).
        if (grant.RetainUntil < grant.ExpiresAt)
        {
            throw new ArgumentException($"{nameof(GrantRecord.RetainUntil)} must not be before {nameof(GrantRecord.ExpiresAt)}.", parameter);
        }
    }
}
