namespace TokenAuth;

/// <summary>
/// When a backend (the token store, the sudo user store, the tenant store) is considered down: after
/// <see cref="FailureThreshold"/> consecutive failures — time-outs or faults — within <see cref="FailureWindow"/>,
/// requests that need it are answered 503 at once for <see cref="BreakDuration"/>, with the rest of the break as
/// <c>Retry-After</c>; then one request is let through as a probe, and its answer closes or reopens the circuit.
/// Each backend of each scheme has its own circuit.
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>Whether the circuit breaker is on. Default <see langword="true"/>; off, every request waits for the backend's deadline.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many consecutive failures open the circuit. Default 5.</summary>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>How close together those failures must be: a failure later than this after the first of a run starts a new run. Default 10 seconds.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an open circuit answers 503 without asking the backend. Default 5 seconds.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
