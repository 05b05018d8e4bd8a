namespace TokenAuth.Server;

/// <summary>
/// What the token server remembers of its grants: refresh tokens and authorization codes (by a
/// domain-separated <see cref="TokenHash"/>, never by their raw value), and the <em>family</em> of every
/// grant — each access token, refresh token and code descended from one original grant — so that the
/// whole family can be revoked when a refresh token or code is replayed (RFC 9700 §4.14.2, RFC 6749 §4.1.2).
/// Implementations throw when their backend cannot be reached; the endpoints answer 503.
/// </summary>
public interface IGrantStore
{
    /// <summary>Saves a grant under <paramref name="handle"/>, kept until <see cref="GrantRecord.RetainUntil"/>.</summary>
    /// <param name="handle">The hash of the refresh token or code.</param>
    /// <param name="grant">The grant.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task SaveAsync(TokenHash handle, GrantRecord grant, CancellationToken cancellationToken = default);

    /// <summary>Finds a grant, consumed or not, or <see langword="null"/> when unknown, removed or past <see cref="GrantRecord.RetainUntil"/>.</summary>
    /// <param name="handle">The hash of the refresh token or code.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<GrantRecord?> FindAsync(TokenHash handle, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically marks the grant consumed at <paramref name="now"/> and returns it <em>as it was before</em>:
    /// <see langword="null"/> when unknown; <see cref="GrantRecord.ConsumedAt"/> set when it had been consumed
    /// already (a replay). Of any number of concurrent calls for one handle, on one node or many, exactly one
    /// sees <see cref="GrantRecord.ConsumedAt"/> unset. The consumed record stays until
    /// <see cref="GrantRecord.RetainUntil"/>, so that a later replay is still recognised.
    /// </summary>
    /// <param name="handle">The hash of the refresh token or code.</param>
    /// <param name="now">The time of consumption.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<GrantRecord?> ConsumeAsync(TokenHash handle, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that the redemption of a consumed grant has completed at <paramref name="now"/>: what it issued was handed
    /// out. From then on, presenting it again is a replay; before, a request that raced the redemption
    /// (<see cref="GrantRecord.RedeemedAt"/>). Does nothing for an unknown or unconsumed grant.
    /// </summary>
    /// <param name="handle">The hash of the refresh token or code.</param>
    /// <param name="now">The time of completion.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task CompleteAsync(TokenHash handle, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Records that <paramref name="member"/> belongs to family <paramref name="familyId"/>, which lives at least until <paramref name="expiresAt"/>.</summary>
    /// <param name="familyId">The family.</param>
    /// <param name="member">An access token or a grant handle issued in the family.</param>
    /// <param name="expiresAt">When the member expires; the family is kept at least that long.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>
    /// <see langword="false"/> when the family has been revoked: the caller must withdraw what it has just issued
    /// (this closes the race between a rotation and a concurrent revocation).
    /// </returns>
    Task<bool> AddToFamilyAsync(string familyId, FamilyMember member, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// Revokes a family: marks it revoked (later <see cref="AddToFamilyAsync"/> calls answer <see langword="false"/>),
    /// removes its grant handles from this store, and returns its access tokens for the caller to remove from the
    /// <see cref="ITokenStore"/>. Revoking an unknown or already revoked family is not an error.
    /// </summary>
    /// <param name="familyId">The family.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The hashes of the family's access tokens.</returns>
    Task<IReadOnlyList<TokenHash>> RevokeFamilyAsync(string familyId, CancellationToken cancellationToken = default);
}
