using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace TokenAuth;

/// <summary>
/// The deadline and the circuit breaker of one backend (<see cref="TokenAuthOptions.BackendTimeout"/>,
/// <see cref="TokenAuthOptions.CircuitBreaker"/>). StackExchange.Redis and <c>RedisCache</c> do not give up a command
/// when its <see cref="CancellationToken"/> fires, so the deadline does not wait for the call: it stops waiting, tells
/// cooperative backends to stop by cancelling their token, and observes the abandoned call's outcome later so that its
/// exception is never unobserved. A caller that went away is a cancellation, neither an answer nor a failure.
/// </summary>
internal sealed class BackendGuard(string name, TimeSpan timeout, CircuitBreakerOptions circuitOptions, TimeProvider timeProvider, TokenAuthMetrics? metrics = null)
{
    private readonly BackendCircuit _circuit = new(circuitOptions, timeProvider);

    // The backend's name in metric tags and activity names: "token store" → token_store.
    private readonly string _tag = name.Replace(' ', '_');

    // Made once: a name concatenated per call would be an allocation on every request, listened to or not.
    private readonly string _activityName = "TokenAuth " + name;

    /// <summary>The backend's name in log lines, e.g. <c>token store</c>.</summary>
    public string Name => name;

    /// <summary>The deadline of each call.</summary>
    public TimeSpan Timeout => timeout;

    /// <summary>The circuit (for tests and diagnostics).</summary>
    internal BackendCircuit Circuit => _circuit;

    /// <summary>Calls the backend within the deadline, unless its circuit is open.</summary>
    /// <param name="call">The call; it receives a token cancelled when the deadline passes or the request is aborted.</param>
    /// <param name="state">The call's arguments (so that <paramref name="call"/> can be a static lambda).</param>
    /// <param name="logger">Where time-outs and circuit changes are logged.</param>
    /// <param name="cancellationToken">The request's: when it fires, the call is abandoned and <see cref="OperationCanceledException"/> thrown.</param>
    public async ValueTask<BackendResult<T>> CallAsync<TState, T>(
        Func<TState, CancellationToken, ValueTask<T>> call, TState state, ILogger logger, CancellationToken cancellationToken)
    {
        // Measured whatever the outcome: tokenauth.backend.call.duration, and an activity when someone listens.
        var started = Stopwatch.GetTimestamp();
        using var activity = TokenAuthMetrics.ActivitySource.StartActivity(_activityName, ActivityKind.Client);
        var outcome = "cancelled";
        try
        {
            var result = await CallCoreAsync(call, state, logger, cancellationToken);
            outcome = result.Outcome switch
            {
                BackendOutcome.Succeeded => "success",
                BackendOutcome.TimedOut => "timeout",
                BackendOutcome.Rejected => "circuit_open",
                _ => "failure",
            };
            return result;
        }
        finally
        {
            metrics?.BackendCall(_tag, outcome, Stopwatch.GetElapsedTime(started));
            if (activity is not null)
            {
                activity.SetTag("tokenauth.backend", _tag);
                activity.SetTag("tokenauth.backend.outcome", outcome);
                if (outcome != "success")
                {
                    activity.SetStatus(ActivityStatusCode.Error, outcome);
                }
            }
        }
    }

    private async ValueTask<BackendResult<T>> CallCoreAsync<TState, T>(
        Func<TState, CancellationToken, ValueTask<T>> call, TState state, ILogger logger, CancellationToken cancellationToken)
    {
        if (!_circuit.TryEnter(out var probe, out var wait))
        {
            Log.BackendCircuitOpen(logger, name, wait);
            return new(BackendOutcome.Rejected, default, null, wait);
        }

        if (probe)
        {
            Log.BackendProbing(logger, name);
        }

        // The call's token: cancelled at the deadline or when the request is aborted. Its source is reused (a call that
        // answers leaves it uncancelled, so it resets), so that a linked source is not an allocation on every request.
        var cancellation = CallCancellation.Rent();
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), cancellation)
            : default;
        Task<T>? pending = null;
        try
        {
            var answer = call(state, cancellation.Token);
            if (answer.IsCompletedSuccessfully)
            {
                return Succeeded(answer.Result, probe, logger);
            }

            pending = answer.AsTask();
            var value = await pending.WaitAsync(timeout, timeProvider, cancellationToken).ConfigureAwait(false);
            return Succeeded(value, probe, logger);
        }
        catch (TimeoutException) when (pending is { IsCompleted: false })
        {
            Log.BackendTimedOut(logger, name, timeout);
            return Failed<T>(BackendOutcome.TimedOut, new TimeoutException($"The {name} did not answer within {timeout.TotalMilliseconds:0} ms."), probe, logger);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _circuit.OnCancelled(probe);
            throw;
        }
        catch (Exception ex)
        {
            // The backend's own failure, its own time-out (a RedisTimeoutException, an HttpClient's TaskCanceledException) included.
            return Failed<T>(BackendOutcome.Faulted, ex, probe, logger);
        }
        finally
        {
            registration.Dispose();
            if (pending is { IsCompleted: false })
            {
                Abandon(pending, cancellation, logger);
            }
            else
            {
                CallCancellation.Return(cancellation);
            }
        }
    }

    private BackendResult<T> Succeeded<T>(T value, bool probe, ILogger logger)
    {
        if (_circuit.OnSuccess(probe) == BackendCircuit.Transition.Closed)
        {
            Log.BackendCircuitClosed(logger, name);
        }

        return new(BackendOutcome.Succeeded, value, null, null);
    }

    private BackendResult<T> Failed<T>(BackendOutcome outcome, Exception exception, bool probe, ILogger logger)
    {
        if (_circuit.OnFailure(probe, out var retryAfter) == BackendCircuit.Transition.Opened)
        {
            Log.BackendCircuitOpened(logger, name, circuitOptions.BreakDuration);
        }

        return new(outcome, default, exception, retryAfter);
    }

    private void Abandon(Task task, CancellationTokenSource cancellation, ILogger logger)
    {
        try
        {
            // A backend that honours its token stops now; StackExchange.Redis finishes on its own time-out.
            cancellation.Cancel();
        }
        catch (AggregateException)
        {
            // A callback of the backend's threw: the call is abandoned anyway.
        }

        task.ContinueWith(
            static (t, s) =>
            {
                var (cancellation, logger, name) = ((CancellationTokenSource, ILogger, string))s!;
                cancellation.Dispose();
                if (t.Exception is { } exception)
                {
                    // Reading Exception observes it: no UnobservedTaskException for an abandoned call.
                    Log.AbandonedBackendCallFaulted(logger, name, LogRedaction.Redact(exception.InnerException ?? exception));
                }
            },
            (cancellation, logger, name),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// One reusable token source per thread. A source comes back only when it can be reset (never cancelled); one that
    /// was cancelled, or whose call is still running, is disposed instead.
    /// </summary>
    private static class CallCancellation
    {
        [ThreadStatic]
        private static CancellationTokenSource? t_cached;

        public static CancellationTokenSource Rent()
        {
            var cached = t_cached;
            if (cached is not null)
            {
                t_cached = null;
                return cached;
            }

            return new CancellationTokenSource();
        }

        public static void Return(CancellationTokenSource cancellation)
        {
            if (t_cached is null && cancellation.TryReset())
            {
                t_cached = cancellation;
            }
            else
            {
                cancellation.Dispose();
            }
        }
    }
}
