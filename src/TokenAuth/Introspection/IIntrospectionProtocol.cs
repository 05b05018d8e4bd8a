namespace TokenAuth;

/// <summary>
/// The wire form of a remote token check: how the request is written and how the answer is read. Built-ins are in
/// <see cref="IntrospectionProtocols"/>; <see cref="IntrospectionProtocols.Create"/> makes one from two delegates.
/// </summary>
/// <remarks>
/// TokenAuth sends the request through its backchannel (timeouts, retries, circuit breaker), refuses answers larger than
/// 64 KiB, and turns anything <see cref="ReadAsync"/> throws into <see cref="TokenCheckStatus.Unavailable"/> (503):
/// a mapping may simply assume the shape it expects. Return <see cref="TokenCheckResult.Invalid"/> only when the
/// server said the token is not good, and <see cref="TokenCheckResult.Unavailable"/> for anything else unexpected.
/// </remarks>
public interface IIntrospectionProtocol
{
    /// <summary>Writes the request that asks about <paramref name="token"/>. It must carry the token nowhere but where the server expects it.</summary>
    /// <param name="endpoint">The endpoint, configured or discovered.</param>
    /// <param name="token">The token to check.</param>
    /// <param name="options">The scheme's introspection options (client credentials, token type hint).</param>
    /// <returns>The request; TokenAuth disposes it.</returns>
    HttpRequestMessage CreateRequest(Uri endpoint, string token, IntrospectionOptions options);

    /// <summary>Reads the server's answer.</summary>
    /// <param name="response">The answer; its content is buffered already. TokenAuth disposes it.</param>
    /// <param name="timeProvider">The clock, for relative lifetimes such as <c>expires_in</c>.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>Valid with what the token says, invalid, or unavailable.</returns>
    ValueTask<TokenCheckResult> ReadAsync(HttpResponseMessage response, TimeProvider timeProvider, CancellationToken cancellationToken);
}
