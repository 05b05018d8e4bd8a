namespace TokenAuth;

/// <summary>
/// Remote validation: the token is sent to the authorization server, which says whether it is active and what it
/// grants — RFC 7662 by default, or a vendor's own check through <see cref="Protocol"/>. Active when
/// <see cref="Endpoint"/> or <see cref="Authority"/> is set (also from configuration:
/// <c>Authentication:Schemes:TokenAuth:Introspection:Authority</c>). Answers are cached (see <see cref="CacheDuration"/>);
/// an authority that cannot answer is a 503 with <c>Retry-After</c>, never a 401 and never cached.
/// </summary>
public sealed class IntrospectionOptions
{
    /// <summary>
    /// The authorization server's issuer identifier. Its introspection endpoint is discovered from the RFC 8414 document
    /// (<c>/.well-known/oauth-authorization-server</c>), else the OpenID Connect one (<c>/.well-known/openid-configuration</c>),
    /// member <c>introspection_endpoint</c>; the documents' <c>issuer</c> must be this value.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>The introspection endpoint itself; when set, nothing is discovered and <see cref="Authority"/> is not used.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The resource server's client id at the authorization server; without it, no client authentication is sent.</summary>
    public string? ClientId { get; set; }

    /// <summary>The resource server's client secret. Keep it out of source: configuration, environment variables, a vault.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>How the client authenticates. Default <see cref="IntrospectionClientAuthentication.Basic"/>.</summary>
    public IntrospectionClientAuthentication ClientAuthentication { get; set; } = IntrospectionClientAuthentication.Basic;

    /// <summary>The <c>token_type_hint</c> sent with RFC 7662 requests. Default <c>access_token</c>; empty sends none.</summary>
    public string? TokenTypeHint { get; set; } = "access_token";

    /// <summary>
    /// How the request is written and the answer read. Default <see cref="IntrospectionProtocols.Rfc7662"/>; seed 001's check
    /// is <see cref="IntrospectionProtocols.TokenCheck"/> (in configuration: <c>"Protocol": "TokenCheck"</c>); a vendor of
    /// your own takes a few lines with <see cref="IntrospectionProtocols.Create"/>.
    /// </summary>
    public IIntrospectionProtocol? Protocol { get; set; }

    /// <summary>Whether the endpoint (and discovery) must use HTTPS. Default <see langword="true"/>; loopback addresses may use HTTP.</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>
    /// How long an active answer is cached; never past the token's <c>exp</c>. Answers without <c>exp</c> are cached this long.
    /// Default 5 minutes; zero turns the cache off. A token revoked at the authority may be accepted until its entry ends.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an inactive answer (<c>"active": false</c>) is cached. Default 10 seconds; zero caches none.</summary>
    public TimeSpan InactiveCacheDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The deadline of one introspection, retries included. Default 3 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The deadline of one attempt. Default 1 second.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many times a transient failure (5xx, 408, 429, a timeout, a refused connection) is retried. Default 2.</summary>
    public int MaxRetryAttempts { get; set; } = 2;

    /// <summary>The first retry's delay; later ones back off exponentially, with jitter. Default 100 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The backchannel's circuit breaker.</summary>
    public IntrospectionCircuitBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>
    /// How long a discovered endpoint is used before the metadata is read again. Default 1 hour. A discovery that fails is
    /// a 503 and is tried again by the next request; a refresh that fails keeps the last endpoint and tries again later.
    /// </summary>
    public TimeSpan DiscoveryRefreshInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Whether an endpoint or an authority is set.</summary>
    internal bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint) || !string.IsNullOrWhiteSpace(Authority);

    /// <summary>Whether <paramref name="uri"/> may be used under <see cref="RequireHttps"/>.</summary>
    internal bool IsAllowed(Uri uri)
        => uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && (!RequireHttps || uri.IsLoopback));

    /// <summary>Checks the options; the exception names the bad property (prefixed with <paramref name="prefix"/>).</summary>
    internal void Validate(string prefix)
    {
        CheckAddress(prefix, nameof(Endpoint), Endpoint);
        CheckAddress(prefix, nameof(Authority), Authority);
        if (string.IsNullOrEmpty(ClientId) && !string.IsNullOrEmpty(ClientSecret))
        {
            throw new InvalidOperationException($"{prefix}{nameof(ClientSecret)} is set without {prefix}{nameof(ClientId)}.");
        }

        if (!Enum.IsDefined(ClientAuthentication))
        {
            throw new InvalidOperationException($"{prefix}{nameof(ClientAuthentication)} must be Basic or Body.");
        }

        InRange(prefix + nameof(CacheDuration), CacheDuration, TimeSpan.Zero, TimeSpan.FromDays(1));
        InRange(prefix + nameof(InactiveCacheDuration), InactiveCacheDuration, TimeSpan.Zero, TimeSpan.FromDays(1));
        // Polly's timeout strategy takes 10 ms to 24 hours.
        InRange(prefix + nameof(Timeout), Timeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(5));
        InRange(prefix + nameof(AttemptTimeout), AttemptTimeout, TimeSpan.FromMilliseconds(10), Timeout);
        if (MaxRetryAttempts is < 0 or > 10)
        {
            throw new InvalidOperationException($"{prefix}{nameof(MaxRetryAttempts)} must be between 0 and 10; it is {MaxRetryAttempts}.");
        }

        InRange(prefix + nameof(RetryDelay), RetryDelay, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        InRange(prefix + nameof(DiscoveryRefreshInterval), DiscoveryRefreshInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(7));

        var breaker = CircuitBreaker ?? throw new InvalidOperationException($"{prefix}{nameof(CircuitBreaker)} must not be null.");
        var breakerPrefix = prefix + nameof(CircuitBreaker) + ".";
        if (breaker.FailureRatio is not (> 0 and <= 1))
        {
            throw new InvalidOperationException($"{breakerPrefix}{nameof(breaker.FailureRatio)} must be above 0 and at most 1.");
        }

        if (breaker.MinimumThroughput < 2)
        {
            throw new InvalidOperationException($"{breakerPrefix}{nameof(breaker.MinimumThroughput)} must be at least 2.");
        }

        // Polly's circuit breaker takes half a second to a day for both.
        InRange(breakerPrefix + nameof(breaker.SamplingDuration), breaker.SamplingDuration, TimeSpan.FromMilliseconds(500), TimeSpan.FromDays(1));
        InRange(breakerPrefix + nameof(breaker.BreakDuration), breaker.BreakDuration, TimeSpan.FromMilliseconds(500), TimeSpan.FromDays(1));
    }

    private void CheckAddress(string prefix, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new InvalidOperationException($"{prefix}{name} must be an absolute http(s) URI.");
        }

        if (!IsAllowed(uri))
        {
            throw new InvalidOperationException($"{prefix}{name} must use HTTPS ({prefix}{nameof(RequireHttps)} is on; only loopback addresses may use HTTP).");
        }
    }

    private static void InRange(string name, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            throw new InvalidOperationException($"{name} must be between {min} and {max}; it is {value}.");
        }
    }
}
