using System.Collections.Concurrent;

namespace TokenAuth.Server;

/// <summary>
/// The default grant store: process-local. Consumption is a compare-and-swap on the entry, so concurrent
/// redemptions of one refresh token or code have exactly one winner. Expired entries are swept on writes.
/// </summary>
internal sealed class InMemoryGrantStore(TimeProvider timeProvider) : IGrantStore
{
    private readonly ConcurrentDictionary<string, GrantRecord> _grants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Family> _families = new(StringComparer.Ordinal);
    private long _nextSweepTicks;

    public Task SaveAsync(TokenHash handle, GrantRecord grant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grant);
        SweepIfDue();
        _grants[handle.Value] = grant;
        return Task.CompletedTask;
    }

    public Task<GrantRecord?> FindAsync(TokenHash handle, CancellationToken cancellationToken = default)
        => Task.FromResult(Live(handle.Value));

    public Task<GrantRecord?> ConsumeAsync(TokenHash handle, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        while (Live(handle.Value) is { } current)
        {
            if (current.ConsumedAt is not null || _grants.TryUpdate(handle.Value, current with { ConsumedAt = now }, current))
            {
                return Task.FromResult<GrantRecord?>(current);
            }
        }

        return Task.FromResult<GrantRecord?>(null);
    }

    public Task<bool> AddToFamilyAsync(string familyId, FamilyMember member, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(familyId);
        var family = _families.GetOrAdd(familyId, static _ => new Family());
        lock (family)
        {
            if (family.Revoked)
            {
                return Task.FromResult(false);
            }

            family.Members.Add(member);
            if (expiresAt > family.ExpiresAt)
            {
                family.ExpiresAt = expiresAt;
            }
        }

        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<TokenHash>> RevokeFamilyAsync(string familyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(familyId);
        var family = _families.GetOrAdd(familyId, static _ => new Family());
        List<FamilyMember> members;
        lock (family)
        {
            family.Revoked = true;
            members = [.. family.Members];
            family.Members.Clear();
            // A revoked family stays known (so late additions are refused) for as long as a member could have lived.
            if (family.ExpiresAt < timeProvider.GetUtcNow().AddHours(1))
            {
                family.ExpiresAt = timeProvider.GetUtcNow().AddHours(1);
            }
        }

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
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, now.AddMinutes(1).UtcTicks, due) != due)
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
                    _families.TryRemove(entry);
                }
            }
        }
    }

    private sealed class Family
    {
        public List<FamilyMember> Members { get; } = [];

        public DateTimeOffset ExpiresAt { get; set; }

        public bool Revoked { get; set; }
    }
}
