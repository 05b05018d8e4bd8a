namespace TokenAuth.Tests.Infrastructure;

/// <summary>
/// Tests that measure wall-clock latency. They run on their own, after the parallel tests, so that the rest of the
/// suite (PBKDF2, the browser) does not eat into their margins; the margins still hold with another test process running.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingTests
{
    public const string Name = "Timing";
}
