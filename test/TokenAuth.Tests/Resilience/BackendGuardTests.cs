using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace TokenAuth.Tests.Resilience;

/// <summary>The deadline and the circuit breaker of one backend, on a fake clock: no test here sleeps.</summary>
public sealed class BackendGuardTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task CallAsync_BackendNeverAnswers_TimedOutAtTheDeadline_AndItsTokenIsCancelled()
    {
        var guard = Guard();
        var hung = new TaskCompletionSource<string?>();
        var seen = CancellationToken.None;

        var call = guard.CallAsync((_, ct) => { seen = ct; return new ValueTask<string?>(hung.Task); }, 0, NullLogger.Instance, CancellationToken.None).AsTask();
        _time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(call.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await call;

        Assert.Equal(BackendOutcome.TimedOut, result.Outcome);
        Assert.IsType<TimeoutException>(result.Exception);
        Assert.Contains("2000 ms", result.Exception!.Message, StringComparison.Ordinal);
        Assert.True(seen.IsCancellationRequested, "A cooperative backend is told to stop.");
        Assert.Null(result.RetryAfter);
    }

    [Fact]
    public async Task CallAsync_ClientGoesAway_ThrowsOperationCanceled_AndCountsNoFailure()
    {
        var guard = Guard();
        using var aborted = new CancellationTokenSource();
        var call = guard.CallAsync((_, _) => new ValueTask<string?>(new TaskCompletionSource<string?>().Task), 0, NullLogger.Instance, aborted.Token).AsTask();

        await aborted.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(0, guard.Circuit.Failures);
    }

    [Fact]
    public async Task CallAsync_AnswerAndNotFound_AreSuccesses()
    {
        var guard = Guard();

        var found = await guard.CallAsync((_, _) => ValueTask.FromResult<string?>("x"), 0, NullLogger.Instance, CancellationToken.None);
        var missing = await guard.CallAsync((_, _) => ValueTask.FromResult<string?>(null), 0, NullLogger.Instance, CancellationToken.None);

        Assert.True(found.Succeeded);
        Assert.Equal("x", found.Value);
        Assert.True(missing.Succeeded);
        Assert.Null(missing.Value);
    }

    [Fact]
    public async Task CallAsync_FiveFailuresInARow_OpenTheCircuit_RejectedWithTheRestOfTheBreak()
    {
        var guard = Guard();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(BackendOutcome.Faulted, (await FailAsync(guard)).Outcome);
            Assert.True(guard.Circuit.IsClosed);
        }

        var fifth = await FailAsync(guard);
        Assert.Equal(TimeSpan.FromSeconds(5), fifth.RetryAfter);
        Assert.False(guard.Circuit.IsClosed);

        _time.Advance(TimeSpan.FromSeconds(2));
        var asked = false;
        var rejected = await guard.CallAsync((_, _) => { asked = true; return ValueTask.FromResult<string?>("x"); }, 0, NullLogger.Instance, CancellationToken.None);

        Assert.Equal(BackendOutcome.Rejected, rejected.Outcome);
        Assert.False(asked, "An open circuit does not ask the backend.");
        Assert.Equal(TimeSpan.FromSeconds(3), rejected.RetryAfter);
    }

    [Fact]
    public async Task CallAsync_TimeoutsCountAsFailures()
    {
        var guard = Guard();
        for (var i = 0; i < 5; i++)
        {
            var call = guard.CallAsync((_, _) => new ValueTask<string?>(new TaskCompletionSource<string?>().Task), 0, NullLogger.Instance, CancellationToken.None).AsTask();
            _time.Advance(Timeout);
            Assert.Equal(BackendOutcome.TimedOut, (await call).Outcome);
        }

        Assert.False(guard.Circuit.IsClosed);
    }

    [Fact]
    public async Task CallAsync_FailuresFurtherApartThanTheWindow_DoNotOpen()
    {
        var guard = Guard();
        for (var i = 0; i < 10; i++)
        {
            await FailAsync(guard);
            _time.Advance(TimeSpan.FromSeconds(3)); // four failures span 9 s; the fifth is 12 s after the first of its run
        }

        Assert.True(guard.Circuit.IsClosed);
    }

    [Fact]
    public async Task CallAsync_ASuccessEndsTheRun()
    {
        var guard = Guard();
        for (var i = 0; i < 4; i++)
        {
            await FailAsync(guard);
        }

        await guard.CallAsync((_, _) => ValueTask.FromResult<string?>("x"), 0, NullLogger.Instance, CancellationToken.None);
        for (var i = 0; i < 4; i++)
        {
            await FailAsync(guard);
        }

        Assert.True(guard.Circuit.IsClosed);
    }

    [Fact]
    public async Task CallAsync_AfterTheBreak_OneProbeOthersRejected_ProbeAnswerClosesTheCircuit()
    {
        var guard = Guard();
        await OpenAsync(guard);
        _time.Advance(TimeSpan.FromSeconds(5));

        var probe = new TaskCompletionSource<string?>();
        var probing = guard.CallAsync((_, _) => new ValueTask<string?>(probe.Task), 0, NullLogger.Instance, CancellationToken.None).AsTask();
        var other = await guard.CallAsync((_, _) => ValueTask.FromResult<string?>("x"), 0, NullLogger.Instance, CancellationToken.None);
        Assert.Equal(BackendOutcome.Rejected, other.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(1), other.RetryAfter);

        probe.SetResult("back");
        Assert.True((await probing).Succeeded);
        Assert.True(guard.Circuit.IsClosed);
        Assert.True((await guard.CallAsync((_, _) => ValueTask.FromResult<string?>("x"), 0, NullLogger.Instance, CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task CallAsync_ProbeFails_ReopensForAnotherBreak()
    {
        var guard = Guard();
        await OpenAsync(guard);
        _time.Advance(TimeSpan.FromSeconds(5));

        var probe = await FailAsync(guard);

        Assert.Equal(TimeSpan.FromSeconds(5), probe.RetryAfter);
        Assert.Equal(BackendOutcome.Rejected, (await FailAsync(guard)).Outcome);
    }

    [Fact]
    public async Task CallAsync_ProbeTimesOut_Reopens()
    {
        var guard = Guard();
        await OpenAsync(guard);
        _time.Advance(TimeSpan.FromSeconds(5));

        var probing = guard.CallAsync((_, _) => new ValueTask<string?>(new TaskCompletionSource<string?>().Task), 0, NullLogger.Instance, CancellationToken.None).AsTask();
        _time.Advance(Timeout);

        Assert.Equal(BackendOutcome.TimedOut, (await probing).Outcome);
        Assert.False(guard.Circuit.IsClosed);
        Assert.Equal(BackendOutcome.Rejected, (await FailAsync(guard)).Outcome);
    }

    [Fact]
    public async Task CallAsync_ProbeCancelledByItsClient_TheNextCallerProbes()
    {
        var guard = Guard();
        await OpenAsync(guard);
        _time.Advance(TimeSpan.FromSeconds(5));
        using var aborted = new CancellationTokenSource();
        var probing = guard.CallAsync((_, _) => new ValueTask<string?>(new TaskCompletionSource<string?>().Task), 0, NullLogger.Instance, aborted.Token).AsTask();

        await aborted.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probing);
        var next = await guard.CallAsync((_, _) => ValueTask.FromResult<string?>("x"), 0, NullLogger.Instance, CancellationToken.None);

        Assert.True(next.Succeeded);
        Assert.True(guard.Circuit.IsClosed);
    }

    [Fact]
    public async Task CallAsync_CircuitDisabled_NeverRejects()
    {
        var guard = Guard(new CircuitBreakerOptions { Enabled = false });
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(BackendOutcome.Faulted, (await FailAsync(guard)).Outcome);
        }
    }

    [Fact]
    public async Task CallAsync_InfiniteTimeout_WaitsForTheBackend()
    {
        var guard = new BackendGuard("test store", System.Threading.Timeout.InfiniteTimeSpan, new CircuitBreakerOptions(), _time);
        var slow = new TaskCompletionSource<string?>();
        var call = guard.CallAsync((_, _) => new ValueTask<string?>(slow.Task), 0, NullLogger.Instance, CancellationToken.None).AsTask();

        _time.Advance(TimeSpan.FromHours(1));
        Assert.False(call.IsCompleted);
        slow.SetResult("late");

        Assert.Equal("late", (await call).Value);
    }

    [Fact]
    public async Task CallAsync_AbandonedCallFaultsLater_NoUnobservedTaskException()
    {
        var marker = "abandoned-" + Guid.NewGuid().ToString("N");
        var unobserved = new List<Exception>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            if (e.Exception.Flatten().InnerExceptions.Any(x => x.Message == marker))
            {
                lock (unobserved)
                {
                    unobserved.Add(e.Exception);
                }
            }
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            var guard = Guard();
            await AbandonAndFaultAsync(guard, _time, marker);
            for (var i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            lock (unobserved)
            {
                Assert.Empty(unobserved);
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Task AbandonAndFaultAsync(BackendGuard guard, FakeTimeProvider time, string marker)
    {
        // The backend fails after the guard gave up on it, as a Redis command that times out on its own later does.
        var late = new TaskCompletionSource<string?>();
        var call = guard.CallAsync((_, _) => new ValueTask<string?>(late.Task), 0, NullLogger.Instance, CancellationToken.None).AsTask();
        time.Advance(Timeout);
        Assert.Equal(BackendOutcome.TimedOut, (await call).Outcome);
        late.SetException(new InvalidOperationException(marker));
    }

    private BackendGuard Guard(CircuitBreakerOptions? circuit = null) => new("test store", Timeout, circuit ?? new CircuitBreakerOptions(), _time);

    private static async Task<BackendResult<string?>> FailAsync(BackendGuard guard)
        => await guard.CallAsync<int, string?>((_, _) => throw new InvalidOperationException("down"), 0, NullLogger.Instance, CancellationToken.None);

    private static async Task OpenAsync(BackendGuard guard)
    {
        for (var i = 0; i < 5; i++)
        {
            await FailAsync(guard);
        }

        Assert.False(guard.Circuit.IsClosed);
    }
}
