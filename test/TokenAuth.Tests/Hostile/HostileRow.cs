namespace TokenAuth.Tests.Hostile;

/// <summary>
/// One hostile input: the request (built when the row runs, so that it can use tokens earlier rows obtained), what must
/// come back, and — for rows whose answer the next rows need — what to keep of it.
/// </summary>
/// <param name="Category">tokens, jwt, multiple, bodies, sudo-tenant, server.</param>
/// <param name="Name">What is sent, in a few words.</param>
/// <param name="Request">Builds the request.</param>
/// <param name="Expect">The answer the RFCs and the seed documents call for.</param>
internal sealed record HostileRow(string Category, string Name, Func<HostileContext, HttpRequestMessage> Request, Expect Expect)
{
    /// <summary>
    /// A bug known and being fixed elsewhere (issue 9, "What the last review left open"): the row expects the correct
    /// answer and is reported as known when it does not get it yet.
    /// </summary>
    public string? KnownBug { get; init; }

    /// <summary>A bug this corpus found and left open (reported, not fixed here): the row expects the correct answer.</summary>
    public string? Finding { get; init; }

    /// <summary>Prepares state right before the row runs (an authorization code lives 60 s).</summary>
    public Func<HostileContext, Task>? Before { get; init; }

    /// <summary>Keeps what later rows need of the answer; runs only when the row got what it expected.</summary>
    public Action<HostileContext, HostileOutcome>? Then { get; init; }
}

/// <summary>What the rows of one app share: its client and the tokens obtained so far, by name.</summary>
internal sealed class HostileContext(HostileSample app, HttpClient client)
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public HostileSample App { get; } = app;

    public HttpClient Client { get; } = client;

    public string this[string name]
    {
        get => _values.TryGetValue(name, out var value) ? value : throw new InvalidOperationException($"No value '{name}' was kept (did the row that obtains it fail?).");
        set => _values[name] = value;
    }

    /// <summary>The JWT app's clock, in epoch seconds.</summary>
    public long Now => App.Time!.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>Every value kept, for the check that none reached a log line.</summary>
    public IEnumerable<string> Values => _values.Values;
}
