namespace TokenAuth;

/// <summary>
/// One backend a scheme depends on, as its health check asks it: the token store, the introspection authority, the
/// signing keys. Made where the backend is (<see cref="TokenAuthPostConfigureOptions"/>), so that a check only ever asks
/// what is configured, through the very objects that validate tokens (their caches, connections and circuits).
/// </summary>
internal interface ITokenAuthHealthProbe
{
    /// <summary>What the report calls it: <c>token store</c>, <c>introspection</c>, <c>signing keys</c>.</summary>
    string Part { get; }

    /// <summary>Asks the backend; never throws but for the caller's cancellation (the check's timeout).</summary>
    /// <param name="cancellationToken">Cancelled at the health check's timeout.</param>
    Task<TokenAuthProbeResult> ProbeAsync(CancellationToken cancellationToken);
}

/// <summary>What one probe found, said without a secret, a token or a connection string.</summary>
/// <param name="Healthy">Whether the backend can serve requests now.</param>
/// <param name="Description">What was found, e.g. <c>Redis answered in 1 ms</c>.</param>
internal readonly record struct TokenAuthProbeResult(bool Healthy, string Description)
{
    public static TokenAuthProbeResult Up(string description) => new(true, description);

    public static TokenAuthProbeResult Down(string description) => new(false, description);
}
