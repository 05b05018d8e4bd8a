using System.Buffers;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace TokenAuth;

/// <summary>
/// The cache's second level with a deadline on every asynchronous call: a Redis that does not answer is a miss after
/// <c>timeout</c>, not a request held for the client library's own (seconds-long) timeouts. StackExchange.Redis cannot
/// cancel a command in flight, so a late call is abandoned, its outcome observed, and never let near the caller's buffers:
/// reads go into a private buffer that is copied out only on time, writes hand over a private copy.
/// </summary>
internal sealed class DeadlineDistributedCache(IDistributedCache inner, TimeSpan timeout, ILogger logger) : IBufferDistributedCache, IDisposable
{
    internal IDistributedCache Inner => inner;

    public byte[]? Get(string key) => inner.Get(key);

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => WithDeadline(inner.GetAsync(key, token), nameof(GetAsync), token);

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => inner.Set(key, value, options);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        => WithDeadline(inner.SetAsync(key, value, options, token), nameof(SetAsync), token);

    public void Refresh(string key) => inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => WithDeadline(inner.RefreshAsync(key, token), nameof(RefreshAsync), token);

    public void Remove(string key) => inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => WithDeadline(inner.RemoveAsync(key, token), nameof(RemoveAsync), token);

    public bool TryGet(string key, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (inner is IBufferDistributedCache buffers)
        {
            return buffers.TryGet(key, destination);
        }

        var bytes = inner.Get(key);
        if (bytes is null)
        {
            return false;
        }

        destination.Write(bytes);
        return true;
    }

    public async ValueTask<bool> TryGetAsync(string key, IBufferWriter<byte> destination, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (inner is not IBufferDistributedCache buffers)
        {
            var bytes = await GetAsync(key, token);
            if (bytes is null)
            {
                return false;
            }

            destination.Write(bytes);
            return true;
        }

        // A private buffer: an abandoned read may still write into it after the deadline, never into the caller's.
        var buffer = new ArrayBufferWriter<byte>(512);
        if (!await WithDeadline(buffers.TryGetAsync(key, buffer, token).AsTask(), nameof(TryGetAsync), token))
        {
            return false;
        }

        destination.Write(buffer.WrittenSpan);
        return true;
    }

    public void Set(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        inner.Set(key, value.ToArray(), options);
    }

    public ValueTask SetAsync(string key, ReadOnlySequence<byte> value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        // A private copy: the caller recycles its buffer when this returns, and an abandoned write may read later.
        return new(SetAsync(key, value.ToArray(), options, token));
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();

    private async Task WithDeadline(Task pending, string operation, CancellationToken token)
    {
        try
        {
            await pending.WaitAsync(timeout, token);
        }
        catch (TimeoutException)
        {
            Abandon(pending, operation);
            throw;
        }
    }

    private async Task<T> WithDeadline<T>(Task<T> pending, string operation, CancellationToken token)
    {
        try
        {
            return await pending.WaitAsync(timeout, token);
        }
        catch (TimeoutException)
        {
            Abandon(pending, operation);
            throw;
        }
    }

    private void Abandon(Task pending, string operation)
    {
        Log.DistributedTokenCacheTimedOut(logger, operation, timeout);
        // Observe the late outcome, so a fault after the deadline is not an unobserved task exception.
        _ = pending.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
