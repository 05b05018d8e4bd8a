namespace TokenAuth;

/// <summary>The answer of a call through a <see cref="BackendGuard"/>.</summary>
/// <typeparam name="T">What the backend answers.</typeparam>
/// <param name="Outcome">How the call ended.</param>
/// <param name="Value">The answer, when <see cref="Outcome"/> is <see cref="BackendOutcome.Succeeded"/>.</param>
/// <param name="Exception">Why it failed: the backend's exception, or a <see cref="TimeoutException"/> naming the deadline.</param>
/// <param name="RetryAfter">When the circuit is open: the rest of the break (the caller's default otherwise).</param>
internal readonly record struct BackendResult<T>(BackendOutcome Outcome, T? Value, Exception? Exception, TimeSpan? RetryAfter)
{
    /// <summary>Whether the backend answered.</summary>
    public bool Succeeded => Outcome == BackendOutcome.Succeeded;
}
