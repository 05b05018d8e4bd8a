using System.Collections.Concurrent;

namespace TokenAuth.Server;

/// <summary>
/// The default grant store: process-local. Consumption is a compare-and-swap on the entry, so concurrent
/// redemptions of one refresh token or code have exactly one winner. A family is a lock-guarded set; a revoked
/// one is remembered for as long as a member could have lived and at least
/// <see cref="GrantStoreRules.RevokedFamilyRetention"/>. Memory stays bounded by what is live: grants past
/// <see cref="GrantRecord.RetainUntil"/> and families past their last member are swept out on writes, and a
/// family drops its expired members whenever one is added.
/// </summary>
internal sealed class InMemoryGrantStore(TimeProvider timeProvider) : IGrantStore
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, GrantRecord> _grants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Family> _families = new(StringComparer.Ordinal);
    private long _nextSweepTicks;

    public Task SaveAsync(TokenHash handle, GrantRecord grant, CancellationToken cancellationToken = default)
    {
        var key = GrantStoreRules.Key(handle);
        GrantStoreRules.Validate(grant);
        SweepIfDue();
        if (grant.RetainUntil > timeProvider.GetUtcNow())
        {
            _grants[key] = grant;
        }
        else
        {
            // Kept until RetainUntil, which has passed: not kept at all, and nothing older stays under the handle.
            _grants.TryRemove(key, out _);
        }

        return Task.CompletedTask;
    }

    public Task<GrantRecord?> FindAsync(TokenHash handle, CancellationToken cancellationToken = default)
        => Task.FromResult(Live(GrantStoreRules.Key(handle)));

    public Task<GrantRecord?> ConsumeAsync(TokenHash handle, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var key = GrantStoreRules.Key(handle);
        while (Live(key) is { } current)
        {
            if (current.ConsumedAt is not null || _grants.TryUpdate(key, current with { ConsumedAt = now }, current))
            {
                return Task.FromResult<GrantRecord?>(current);
            }
        }

        return Task.FromResult<GrantRecord?>(null);
    }

    public Task CompleteAsync(TokenHash handle, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var key = GrantStoreRules.Key(handle);
        while (Live(key) is { ConsumedAt: not null, RedeemedAt: null } current && !_grants.TryUpdate(key, current with { RedeemedAt = now }, current))
        {
        }

        return Task.CompletedTask;
    }

    public Task<bool> AddToFamilyAsync(string familyId, FamilyMember member, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(familyId);
        GrantStoreRules.Validate(member);
        SweepIfDue();
        var now = timeProvider.GetUtcNow();
        return Task.FromResult(WithFamily(familyId, family => family.TryAdd(member, expiresAt, now)));
    }

    public Task<IReadOnlyList<TokenHash>> RevokeFamilyAsync(string familyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(familyId);
        SweepIfDue();
        var now = timeProvider.GetUtcNow();
        var members = WithFamily(familyId, family => family.Revoke(now + GrantStoreRules.RevokedFamilyRetention));

        var accessTokens = new List<TokenHash>();
        foreach (var member in members)
        {
            if (member.Kind == FamilyMemberKind.Grant)
            {
                _grants.TryRemove(member.Hash.Value, out _);
            }
            else
            {
                accessTokens.Add(member.Hash);
            }
        }

        return Task.FromResult<IReadOnlyList<TokenHash>>(accessTokens);
    }

    internal int Count => _grants.Count;

    internal int FamilyCount => _families.Count;

    /// <summary>
    /// Runs <paramref name="action"/> under the lock of the family that is in the dictionary. The sweeper may take a
    /// family out between the look-up and the lock; acting on that orphan would add a member no revocation finds,
    /// or revoke a family that later additions never see, so the look-up is retried.
    /// </summary>
    private T WithFamily<T>(string familyId, Func<Family, T> action)
    {
        while (true)
        {
            var family = _families.GetOrAdd(familyId, static _ => new Family());
            lock (family)
            {
                if (!family.Swept)
                {
                    return action(family);
                }
            }
        }
    }

    private GrantRecord? Live(string key)
    {
        if (!_grants.TryGetValue(key, out var grant))
        {
            return null;
        }

        if (grant.RetainUntil > timeProvider.GetUtcNow())
        {
            return grant;
        }

        _grants.TryRemove(new KeyValuePair<string, GrantRecord>(key, grant));
        return null;
    }

    private void SweepIfDue()
    {
        var now = timeProvider.GetUtcNow();
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + SweepInterval).UtcTicks, due) != due)
        {
            return;
        }

        foreach (var entry in _grants)
        {
            if (entry.Value.RetainUntil <= now)
            {
                _grants.TryRemove(entry);
            }
        }

        foreach (var entry in _families)
        {
            lock (entry.Value)
            {
                if (entry.Value.ExpiresAt <= now)
                {
                    entry.Value.Swept = true;
                    _families.TryRemove(entry);
                }
            }
        }
    }

    /// <summary>One family; every member is guarded by locking the instance.</summary>
    private sealed class Family
    {
        private readonly Dictionary<FamilyMember, DateTimeOffset> _members = [];

        /// <summary>Until when the family is kept: its latest member's expiry, or the revocation's retention.</summary>
        public DateTimeOffset ExpiresAt { get; private set; }

        /// <summary>Taken out of the store by the sweeper: whoever still holds it must look the family up again.</summary>
        public bool Swept { get; set; }

        private bool Revoked { get; set; }

        public bool TryAdd(FamilyMember member, DateTimeOffset expiresAt, DateTimeOffset now)
        {
            if (Revoked)
            {
                return false;
            }

            // An expired member needs no revocation: dropping it keeps a long rotation chain from growing the list.
            foreach (var expired in _members.Where(m => m.Value <= now).Select(m => m.Key).ToList())
            {
                _members.Remove(expired);
            }

            if (expiresAt > now && (!_members.TryGetValue(member, out var known) || known < expiresAt))
            {
                _members[member] = expiresAt;
            }

            if (expiresAt > ExpiresAt)
            {
                ExpiresAt = expiresAt;
            }

            return true;
        }

        public List<FamilyMember> Revoke(DateTimeOffset keepRevokedUntil)
        {
            Revoked = true;
            List<FamilyMember> members = [.. _members.Keys];
            _members.Clear();
            // Remembered as long as a member could have lived, so that a late addition is still refused.
            if (keepRevokedUntil > ExpiresAt)
            {
                ExpiresAt = keepRevokedUntil;
            }

            return members;
        }
    }
}
