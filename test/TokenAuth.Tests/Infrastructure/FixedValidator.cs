namespace TokenAuth.Tests.Infrastructure;

/// <summary>A validator that answers <paramref name="result"/> to every token and counts its calls.</summary>
internal sealed class FixedValidator(TokenCheckResult result) : ITokenValidator
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<TokenCheckResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return ValueTask.FromResult(result);
    }
}
