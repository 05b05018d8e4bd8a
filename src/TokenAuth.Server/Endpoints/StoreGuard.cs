namespace TokenAuth.Server;

/// <summary>
/// Calls into a store — token, grant, client or user store — so that its faults become
/// <see cref="TokenStoreUnavailableException"/> (the endpoints answer 503 with <c>Retry-After</c>, fail closed), while
/// the request's own cancellation stays a cancellation.
/// </summary>
internal static class StoreGuard
{
    public static async Task RunAsync(Func<Task> action, CancellationToken cancellationToken)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (IsFault(ex, cancellationToken))
        {
            throw new TokenStoreUnavailableException(ex);
        }
    }

    public static async Task<T> RunAsync<T>(Func<Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (IsFault(ex, cancellationToken))
        {
            throw new TokenStoreUnavailableException(ex);
        }
    }

    public static async ValueTask<T> RunAsync<T>(Func<ValueTask<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (IsFault(ex, cancellationToken))
        {
            throw new TokenStoreUnavailableException(ex);
        }
    }

    private static bool IsFault(Exception ex, CancellationToken cancellationToken)
        => ex is not TokenStoreUnavailableException && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested);
}

