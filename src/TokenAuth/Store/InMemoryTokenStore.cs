using System.Collections.Concurrent;

namespace TokenAuth;

/// <summary>
/// The default store: a process-local dictionary keyed by token hash. Expired entries are never
/// returned and are swept out on writes, so memory stays bounded by the live tokens. Each entry is kept as the
/// completed task a lookup returns, so that a lookup allocates nothing.
/// </summary>
internal sealed class InMemoryTokenStore(TimeProvider timeProvider) : ITokenStore
{
    private static readonly Task<TokenInfo?> NotFound = Task.FromResult<TokenInfo?>(null);

    private readonly ConcurrentDictionary<TokenHash, Task<TokenInfo?>> _entries = new();
    private long _nextSweepTicks;

    public Task SaveAsync(TokenHash hash, TokenInfo info, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.ExpiresAt is null)
        {
            throw new ArgumentException("A stored token must have an expiry.", nameof(info));
        }

        SweepIfDue();
        _entries[hash] = Task.FromResult<TokenInfo?>(info);
        return Task.CompletedTask;
    }

    public Task<TokenInfo?> FindAsync(TokenHash hash, CancellationToken cancellationToken = default)
    {
        if (_entries.TryGetValue(hash, out var entry))
        {
            if (entry.Result!.ExpiresAt > timeProvider.GetUtcNow())
            {
                return entry;
            }

            _entries.TryRemove(new KeyValuePair<TokenHash, Task<TokenInfo?>>(hash, entry));
        }

        return NotFound;
    }

    public Task RemoveAsync(TokenHash hash, CancellationToken cancellationToken = default)
    {
        _entries.TryRemove(hash, out _);
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
            if (entry.Value.Result!.ExpiresAt <= now)
            {
                _entries.TryRemove(entry);
            }
        }
    }
}
