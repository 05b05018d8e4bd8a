using System.Collections.Concurrent;

namespace TokenAuth;

/// <summary>
/// The default store: a process-local dictionary keyed by token hash. Expired entries are never
/// returned and are swept out on writes, so memory stays bounded by the live tokens.
/// </summary>
internal sealed class InMemoryTokenStore(TimeProvider timeProvider) : ITokenStore
{
    private readonly ConcurrentDictionary<string, TokenInfo> _entries = new(StringComparer.Ordinal);
    private long _nextSweepTicks;

    public Task SaveAsync(TokenHash hash, TokenInfo info, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.ExpiresAt is null)
        {
            throw new ArgumentException("A stored token must have an expiry.", nameof(info));
        }

        SweepIfDue();
        _entries[hash.Value] = info;
        return Task.CompletedTask;
    }

    public Task<TokenInfo?> FindAsync(TokenHash hash, CancellationToken cancellationToken = default)
    {
        if (_entries.TryGetValue(hash.Value, out var info))
        {
            if (info.ExpiresAt > timeProvider.GetUtcNow())
            {
                return Task.FromResult<TokenInfo?>(info);
            }

            _entries.TryRemove(new KeyValuePair<string, TokenInfo>(hash.Value, info));
        }

        return Task.FromResult<TokenInfo?>(null);
    }

    public Task RemoveAsync(TokenHash hash, CancellationToken cancellationToken = default)
    {
        _entries.TryRemove(hash.Value, out _);
        return Task.CompletedTask;
    }

    internal int Count => _entries.Count;

    private void SweepIfDue()
    {
        var now = timeProvider.GetUtcNow();
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, now.AddMinutes(1).UtcTicks, due) != due)
        {
            return;
        }

        foreach (var entry in _entries)
        {
            if (entry.Value.ExpiresAt <= now)
            {
                _entries.TryRemove(entry);
            }
        }
    }
}
