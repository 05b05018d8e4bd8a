using System.Diagnostics;
using System.Globalization;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace TokenAuth;

/// <summary>The token store: a Redis <c>PING</c>, a distributed-cache read, or nothing to ask for one in memory.</summary>
internal sealed class TokenStoreProbe(ITokenStore store) : ITokenAuthHealthProbe
{
    public string Part => "token store";

    public async Task<TokenAuthProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        Func<CancellationToken, Task>? ask = store switch
        {
            RedisTokenStore redis => redis.PingAsync,
            DistributedCacheTokenStore distributed => distributed.ProbeAsync,
            _ => null,
        };
        if (ask is null)
        {
            return TokenAuthProbeResult.Up(store is InMemoryTokenStore ? "in memory" : $"{store.GetType().Name} (not asked: a custom store)");
        }

        var what = store is RedisTokenStore ? "Redis" : "the distributed cache";
        var started = Stopwatch.GetTimestamp();
        try
        {
            await ask(cancellationToken).WaitAsync(cancellationToken);
            return TokenAuthProbeResult.Up(string.Create(CultureInfo.InvariantCulture, $"{what} answered in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms"));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return TokenAuthProbeResult.Down($"{what} did not answer within the health check's timeout");
        }
        catch (Exception ex)
        {
            // The exception's type only: a Redis message can carry the endpoint and, for some commands, a key.
            return TokenAuthProbeResult.Down($"{what} cannot be reached ({ex.GetType().Name})");
        }
    }
}

/// <summary>
/// The introspection authority: its endpoint (the discovered one is cached by the resolver, so a check costs no request
/// while it is fresh), and whether the circuit has paused introspection after the authority kept failing.
/// </summary>
internal sealed class IntrospectionProbe(IntrospectionTokenValidator validator, TimeProvider timeProvider) : ITokenAuthHealthProbe
{
    public string Part => "introspection";

    public async Task<TokenAuthProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        Uri endpoint;
        try
        {
            endpoint = await validator.Endpoints.GetAsync(cancellationToken).AsTask().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return TokenAuthProbeResult.Down("the authority's metadata did not arrive within the health check's timeout");
        }
        catch (Exception ex)
        {
            return TokenAuthProbeResult.Down($"the authority's metadata cannot be read ({ex.GetType().Name})");
        }

        // Scheme, host, port and path: never a user name or password written into the address.
        var address = $"{endpoint.Scheme}://{endpoint.Authority}{endpoint.AbsolutePath}";
        if (validator.PausedUntil is { } until && until > timeProvider.GetUtcNow())
        {
            return TokenAuthProbeResult.Down(string.Create(CultureInfo.InvariantCulture, $"the authorization server at {address} is failing: introspection is paused until {until:u}"));
        }

        return TokenAuthProbeResult.Up($"endpoint {address} ({(validator.Endpoints.IsConfigured ? "configured" : "discovered")})");
    }
}

/// <summary>
/// The authority's signing keys: some are present, and they were fetched within their refresh interval (a JWKS that
/// cannot be fetched any more leaves the last keys in use, silently, until a rotation refuses every token).
/// </summary>
internal sealed class SigningKeysProbe(JwtValidationOptions jwt, TimeProvider timeProvider) : ITokenAuthHealthProbe
{
    public string Part => "signing keys";

    public async Task<TokenAuthProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await jwt.ConfigurationManager!.GetConfigurationAsync(cancellationToken).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return TokenAuthProbeResult.Down("the authority's metadata and keys did not arrive within the health check's timeout");
        }
        catch (Exception ex)
        {
            return TokenAuthProbeResult.Down($"the authority's metadata and keys cannot be fetched ({ex.GetType().Name})");
        }

        configuration = jwt.KeyRefresher?.Latest(configuration) ?? configuration;
        var count = configuration.SigningKeys.Count;
        if (count == 0)
        {
            return TokenAuthProbeResult.Down("the authority's key set holds no signing key");
        }

        if (jwt.KeysFetched?.LastFetched is not { } fetched)
        {
            // A configuration manager of the host's own: TokenAuth cannot see when it fetched.
            return TokenAuthProbeResult.Up(string.Create(CultureInfo.InvariantCulture, $"{count} keys"));
        }

        var age = timeProvider.GetUtcNow() - fetched;
        // The manager refreshes once AutomaticRefreshInterval has passed, in the background, retrying every RefreshInterval:
        // older than both, no refresh has succeeded when one should have.
        if (age > jwt.AutomaticRefreshInterval + jwt.RefreshInterval)
        {
            return TokenAuthProbeResult.Down(string.Create(
                CultureInfo.InvariantCulture,
                $"{count} keys fetched {Describe(age)} ago, longer than their refresh interval ({Describe(jwt.AutomaticRefreshInterval)}): the authority's key set cannot be fetched"));
        }

        return TokenAuthProbeResult.Up(string.Create(CultureInfo.InvariantCulture, $"{count} keys, fetched {Describe(age)} ago"));
    }

    private static string Describe(TimeSpan span)
        => span.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.#} h")
            : span.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} min")
            : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, span.TotalSeconds):0} s");
}

/// <summary>When the signing keys were last fetched (by the configuration manager or by an awaited refresh).</summary>
internal sealed class SigningKeyClock(TimeProvider timeProvider)
{
    private long _lastFetchedTicks;

    public DateTimeOffset? LastFetched => Interlocked.Read(ref _lastFetchedTicks) is var ticks and not 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    public void Fetched() => Interlocked.Exchange(ref _lastFetchedTicks, timeProvider.GetUtcNow().UtcTicks);

    /// <summary>The standard retriever, marking this clock on every configuration it fetches.</summary>
    public IConfigurationRetriever<OpenIdConnectConfiguration> Retriever() => new MarkingRetriever(this);

    private sealed class MarkingRetriever(SigningKeyClock clock) : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        private readonly OpenIdConnectConfigurationRetriever _inner = new();

        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var configuration = await ((IConfigurationRetriever<OpenIdConnectConfiguration>)_inner).GetConfigurationAsync(address, retriever, cancel).ConfigureAwait(false);
            clock.Fetched();
            return configuration;
        }
    }
}
