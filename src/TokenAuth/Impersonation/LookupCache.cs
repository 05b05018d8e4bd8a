using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace TokenAuth;

/// <summary>
/// A small per-node cache of store answers: entries expire by the injected clock, the size is bounded, and an
/// eviction wins over a lookup that was in flight when it happened (the lookup's answer, possibly read before the
/// change the eviction announces, is then not kept).
/// </summary>
/// <typeparam name="TKey">What the lookup is keyed by.</typeparam>
/// <typeparam name="TValue">What the store answered.</typeparam>
internal sealed class LookupCache<TKey, TValue>(int capacity, TimeProvider timeProvider)
    where TKey : notnull
    where TValue : class
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();
    private long _generation;

    /// <summary>Changes on every eviction. Read it before asking the store and give it to <see cref="Set"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>The number of entries, expired ones included until they are swept.</summary>
    public int Count => _entries.Count;

    /// <summary>Finds an entry younger than <paramref name="maxAge"/> (the reader's own duration) and not expired.</summary>
    public bool TryGet(TKey key, TimeSpan maxAge, [MaybeNullWhen(false)] out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            var now = timeProvider.GetUtcNow();
            if (now < entry.ExpiresAt && now - entry.CreatedAt < maxAge)
            {
                value = entry.Value;
                return true;
            }

            if (now >= entry.ExpiresAt)
            {
                _entries.TryRemove(new KeyValuePair<TKey, Entry>(key, entry));
            }
        }

        value = null;
        return false;
    }

    /// <summary>Keeps <paramref name="value"/> for <paramref name="duration"/>, unless an eviction happened since <paramref name="generation"/>.</summary>
    public void Set(TKey key, TValue value, TimeSpan duration, long generation)
    {
        if (Generation != generation)
        {
            return;
        }

        if (_entries.Count >= capacity)
        {
            MakeRoom();
        }

        var now = timeProvider.GetUtcNow();
        var entry = new Entry(value, now, now + duration);
        _entries[key] = entry;
        if (Generation != generation)
        {
            // An eviction raced with this insert: it wins.
            _entries.TryRemove(new KeyValuePair<TKey, Entry>(key, entry));
        }
    }

    /// <summary>Removes every entry <paramref name="predicate"/> matches, and keeps in-flight lookups from adding theirs.</summary>
    public void RemoveWhere(Func<TKey, TValue, bool> predicate)
    {
        Interlocked.Increment(ref _generation);
        foreach (var pair in _entries)
        {
            if (predicate(pair.Key, pair.Value.Value))
            {
                _entries.TryRemove(pair);
            }
        }
    }

    /// <summary>Removes everything, and keeps in-flight lookups from adding theirs.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    private void MakeRoom()
    {
        var now = timeProvider.GetUtcNow();
        foreach (var pair in _entries)
        {
            if (pair.Value.ExpiresAt <= now)
            {
                _entries.TryRemove(pair);
            }
        }

        if (_entries.Count >= capacity - (capacity / 10))
        {
            // Still (nearly) full of live entries: start over rather than sweep again on every insert.
            _entries.Clear();
        }
    }

    private sealed record Entry(TValue Value, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);
}
