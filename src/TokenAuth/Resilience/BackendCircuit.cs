namespace TokenAuth;

/// <summary>
/// The state of one backend's circuit breaker (see <see cref="CircuitBreakerOptions"/>): closed, open until a time,
/// or half-open with one probe in flight. The closed state, the one that matters for speed, is read without a lock.
/// Every <see cref="TryEnter"/> that returns <see langword="true"/> must be followed by exactly one of
/// <see cref="OnSuccess"/>, <see cref="OnFailure"/> or <see cref="OnCancelled"/>, with the probe flag it gave.
/// </summary>
internal sealed class BackendCircuit(CircuitBreakerOptions options, TimeProvider timeProvider)
{
    private const int Closed = 0, Open = 1, HalfOpen = 2;

    /// <summary>What a rejected caller is told while the probe is in flight: the probe answers within the deadline.</summary>
    private static readonly TimeSpan ProbeRetryAfter = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private int _state;
    private int _failures;
    private DateTimeOffset _firstFailureAt;
    private DateTimeOffset _openUntil;

    /// <summary>How a call's outcome changed the circuit, for the log.</summary>
    public enum Transition
    {
        /// <summary>No change.</summary>
        None,

        /// <summary>The circuit opened (or reopened after a failed probe).</summary>
        Opened,

        /// <summary>The probe succeeded: the circuit closed.</summary>
        Closed,
    }

    /// <summary>Whether the circuit is closed (for tests and diagnostics).</summary>
    public bool IsClosed => Volatile.Read(ref _state) == Closed;

    /// <summary>The number of consecutive failures counted so far (for tests and diagnostics).</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Whether a call may go to the backend now.</summary>
    /// <param name="probe">Whether this call is the half-open probe.</param>
    /// <param name="retryAfter">When refused: how long until the backend may be asked again.</param>
    public bool TryEnter(out bool probe, out TimeSpan retryAfter)
    {
        probe = false;
        retryAfter = TimeSpan.Zero;
        if (!options.Enabled || Volatile.Read(ref _state) == Closed)
        {
            return true;
        }

        lock (_lock)
        {
            switch (_state)
            {
                case Closed:
                    return true;
                case Open:
                    var now = timeProvider.GetUtcNow();
                    if (now < _openUntil)
                    {
                        retryAfter = _openUntil - now;
                        return false;
                    }

                    // The break is over: this caller asks the backend; everyone else waits for its answer.
                    Volatile.Write(ref _state, HalfOpen);
                    probe = true;
                    return true;
                default:
                    retryAfter = ProbeRetryAfter;
                    return false;
            }
        }
    }

    /// <summary>Records that the backend answered.</summary>
    /// <param name="probe">What <see cref="TryEnter"/> said.</param>
    public Transition OnSuccess(bool probe)
    {
        if (!options.Enabled || (Volatile.Read(ref _state) == Closed && Volatile.Read(ref _failures) == 0))
        {
            return Transition.None;
        }

        lock (_lock)
        {
            if (probe && _state == HalfOpen)
            {
                _failures = 0;
                Volatile.Write(ref _state, Closed);
                return Transition.Closed;
            }

            if (_state == Closed)
            {
                // A success ends the run of failures; a late success of a call started before the circuit opened changes nothing.
                _failures = 0;
            }

            return Transition.None;
        }
    }

    /// <summary>Records that the backend failed or did not answer in time.</summary>
    /// <param name="probe">What <see cref="TryEnter"/> said.</param>
    /// <param name="retryAfter">When the circuit is (now) open: the rest of the break.</param>
    public Transition OnFailure(bool probe, out TimeSpan? retryAfter)
    {
        retryAfter = null;
        if (!options.Enabled)
        {
            return Transition.None;
        }

        lock (_lock)
        {
            var now = timeProvider.GetUtcNow();
            if (probe && _state == HalfOpen)
            {
                retryAfter = OpenNow(now);
                return Transition.Opened;
            }

            if (_state != Closed)
            {
                // A call that started before the circuit opened: the circuit already knows.
                retryAfter = _state == Open && _openUntil > now ? _openUntil - now : ProbeRetryAfter;
                return Transition.None;
            }

            if (_failures == 0 || now - _firstFailureAt > options.FailureWindow)
            {
                _failures = 1;
                _firstFailureAt = now;
            }
            else
            {
                _failures++;
            }

            if (_failures < options.FailureThreshold)
            {
                return Transition.None;
            }

            retryAfter = OpenNow(now);
            return Transition.Opened;
        }
    }

    /// <summary>Records that the caller went away before the backend answered: no verdict on the backend.</summary>
    /// <param name="probe">What <see cref="TryEnter"/> said.</param>
    public void OnCancelled(bool probe)
    {
        if (!probe)
        {
            return;
        }

        lock (_lock)
        {
            if (_state == HalfOpen)
            {
                // The probe told us nothing: let the next caller probe at once.
                _openUntil = timeProvider.GetUtcNow();
                Volatile.Write(ref _state, Open);
            }
        }
    }

    private TimeSpan OpenNow(DateTimeOffset now)
    {
        _failures = 0;
        _openUntil = now + options.BreakDuration;
        Volatile.Write(ref _state, Open);
        return options.BreakDuration;
    }
}
