namespace TokenAuth;

/// <summary>
/// The circuit breaker of the introspection backchannel: when too many calls fail, calls stop for
/// <see cref="BreakDuration"/> and requests are answered 503 at once instead of waiting on a dead authority.
/// </summary>
public sealed class IntrospectionCircuitBreakerOptions
{
    /// <summary>The share of failed calls, between 0 and 1, that opens the circuit. Default 0.5.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>The least number of calls in <see cref="SamplingDuration"/> before the circuit may open. Default 10.</summary>
    public int MinimumThroughput { get; set; } = 10;

    /// <summary>The window over which <see cref="FailureRatio"/> is measured. Default 30 seconds.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open; also the <c>Retry-After</c> of the 503s meanwhile. Default 5 seconds.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
