using Microsoft.AspNetCore.Authentication;

namespace TokenAuth;

/// <summary>
/// Options of the TokenAuth scheme. Bound from <c>Authentication:Schemes:{scheme}</c> like JwtBearer's, and
/// validated at start-up: a host that configures no validator, or a bad value, does not start.
/// </summary>
public class TokenAuthOptions : AuthenticationSchemeOptions
{
    /// <summary>Where tokens are looked for.</summary>
    public TokenSourceOptions Sources { get; set; } = new();

    /// <summary>Local JWT validation. Used when keys or an authority are configured.</summary>
    public JwtValidationOptions Jwt { get; set; } = new();

    /// <summary>
    /// Validate opaque tokens against the registered <see cref="ITokenStore"/> (in memory by default, Redis
    /// with <c>AddTokenAuthRedisStore</c>). With <see cref="Jwt"/> configured too, tokens are routed by shape.
    /// </summary>
    public bool UseTokenStore { get; set; }

    /// <summary>
    /// Remote validation by the authorization server (RFC 7662 introspection, or a vendor's check), with a cache. Active
    /// when <see cref="IntrospectionOptions.Endpoint"/> or <see cref="IntrospectionOptions.Authority"/> is set. With
    /// <see cref="UseTokenStore"/> too, a token the store does not know is introspected.
    /// </summary>
    public IntrospectionOptions Introspection { get; set; } = new();

    /// <summary>
    /// How long a token-store hit is kept in this node's memory, never past the token's expiry. <see langword="null"/> (the
    /// default) chooses: 30 seconds where revocations reach every node's memory — the Redis store
    /// (<c>AddTokenAuthRedisStore</c>), or a store in another <c>IDistributedCache</c> beside <c>AddTokenAuthRedisCache</c>,
    /// whose Redis revocation bus carries them within about a second — saving one network round trip per request; none
    /// otherwise: for the in-memory store, which is memory already, and for <c>AddTokenAuthDistributedStore</c> alone,
    /// whose revocations would reach only the node that made them. Zero asks the store every time. Set a duration
    /// yourself and a token revoked on another node without the Redis bus (or deleted from the store by other means) is
    /// seen when the memory copy ends.
    /// </summary>
    public TimeSpan? StoreCacheDuration { get; set; }

    /// <summary>The memory lifetime of store hits when <see cref="StoreCacheDuration"/> is left to choose, for a distributed store.</summary>
    internal static readonly TimeSpan DistributedStoreCacheDuration = TimeSpan.FromSeconds(30);

    /// <summary>Sudo: acting as another user (seed 001). Active when an <see cref="ISudoUserStore"/> is registered.</summary>
    public SudoOptions Sudo { get; set; } = new();

    /// <summary>Tenant scoping with <c>tenantId</c>/<c>tenantCode</c>. Active when an <see cref="ITenantStore"/> is registered.</summary>
    public TenantOptions Tenants { get; set; } = new();

    /// <summary>
    /// A validator of your own; when set, it replaces the built-in choice. To have it made by dependency injection, use
    /// <c>services.AddTokenAuth(…).AddTokenAuthValidator&lt;TValidator&gt;()</c> instead.
    /// </summary>
    public ITokenValidator? Validator { get; set; }

    /// <summary>Tokens longer than this are refused before any backend is asked. Default 8 KiB.</summary>
    public int MaxTokenLength { get; set; } = TokenAuthDefaults.MaxTokenLength;

    /// <summary>Whether <c>error_description</c> is sent to clients. Default <see langword="true"/>, as in JwtBearer.</summary>
    public bool IncludeErrorDetails { get; set; } = true;

    /// <summary>Whether the token is kept in the authentication properties and <see cref="ITokenAuthFeature.Token"/>. Default off.</summary>
    public bool SaveToken { get; set; }

    /// <summary>The <c>realm</c> of the <c>WWW-Authenticate</c> challenge, if any.</summary>
    public string? Realm { get; set; }

    /// <summary>The <c>Retry-After</c> of a 503 when the validator gives none. Default 5 seconds.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The deadline of each call the handler makes to the token store, the sudo user store and the tenant store.
    /// A call that has not answered by then is abandoned (not awaited: Redis clients do not stop on cancellation) and
    /// the request answered 503 with <c>Retry-After</c>. Default 2 seconds; <see cref="Timeout.InfiniteTimeSpan"/>
    /// waits as long as the backend does.
    /// </summary>
    public TimeSpan BackendTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>When a backend is considered down and requests fail fast with 503; see <see cref="CircuitBreakerOptions"/>.</summary>
    public CircuitBreakerOptions CircuitBreaker { get; set; } = new();

    /// <summary>
    /// Whether failures are answered with an RFC 9457 problem-details body. Default <see langword="true"/>;
    /// the <c>Challenge</c>/<c>Forbidden</c> events can write another envelope instead.
    /// </summary>
    public bool WriteProblemDetails { get; set; } = true;

    /// <summary>Hooks into the flow; see <see cref="TokenAuthEvents"/>.</summary>
    public new TokenAuthEvents Events
    {
        get => (TokenAuthEvents)base.Events!;
        set => base.Events = value;
    }

    /// <summary>Creates the options with default events.</summary>
    public TokenAuthOptions() => Events = new TokenAuthEvents();

    private TokenAuthBackends? _backends;

    /// <summary>The host's TokenAuth meter, set at post-configuration (before <see cref="Backends"/> is first used).</summary>
    internal TokenAuthMetrics? Metrics { get; set; }

    /// <summary>What the scheme's health check asks: one probe per configured backend (made by the post-configuration).</summary>
    internal List<ITokenAuthHealthProbe> HealthProbes { get; } = [];

    /// <summary>The deadline and circuit of each backend of this scheme; made on first use, after post-configuration.</summary>
    internal TokenAuthBackends Backends
        => _backends ?? Interlocked.CompareExchange(ref _backends, new TokenAuthBackends(this), null) ?? _backends;

    /// <summary>Checks the options; the exception names the bad property.</summary>
    public override void Validate()
    {
        base.Validate();

        // Sections set to null by code (configuration never does): named here rather than a NullReferenceException below.
        var missing = new (object? Value, string Name)[]
        {
            (Sources, nameof(Sources)), (Jwt, nameof(Jwt)), (Introspection, nameof(Introspection)), (Sudo, nameof(Sudo)),
            (Tenants, nameof(Tenants)), (CircuitBreaker, nameof(CircuitBreaker)),
        }.FirstOrDefault(s => s.Value is null).Name;
        if (missing is not null)
        {
            throw new InvalidOperationException($"{missing} must not be null.");
        }

        if (Validator is null)
        {
            throw new InvalidOperationException(
                $"TokenAuth has no token validator. Configure {nameof(Jwt)} (signing keys or {nameof(Jwt)}.{nameof(JwtValidationOptions.Authority)}), " +
                $"set {nameof(UseTokenStore)} = true, set {nameof(Introspection)}.{nameof(IntrospectionOptions.Endpoint)} or {nameof(Introspection)}.{nameof(IntrospectionOptions.Authority)}, " +
                $"or set {nameof(Validator)}.");
        }

        if (MaxTokenLength is < 16 or > 1024 * 1024)
        {
            throw new InvalidOperationException($"{nameof(MaxTokenLength)} must be between 16 and 1048576; it is {MaxTokenLength}.");
        }

        if (StoreCacheDuration < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{nameof(StoreCacheDuration)} must not be negative.");
        }

        if (RetryAfter <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{nameof(RetryAfter)} must be positive.");
        }

        ValidateSources();
        ValidateBackends();
        ValidateImpersonation();
        if (Jwt.IsConfigured)
        {
            ValidateJwt();
        }

        if (Introspection.IsConfigured)
        {
            Introspection.Validate(nameof(Introspection) + ".");
        }
    }

    private void ValidateBackends()
    {
        if (BackendTimeout <= TimeSpan.Zero && BackendTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new InvalidOperationException($"{nameof(BackendTimeout)} must be positive (or Timeout.InfiniteTimeSpan).");
        }

        const string circuit = nameof(CircuitBreaker) + ".";
        if (CircuitBreaker.FailureThreshold < 1)
        {
            throw new InvalidOperationException($"{circuit}{nameof(CircuitBreakerOptions.FailureThreshold)} must be at least 1.");
        }

        if (CircuitBreaker.FailureWindow <= TimeSpan.Zero || CircuitBreaker.BreakDuration <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{circuit}{nameof(CircuitBreakerOptions.FailureWindow)} and {circuit}{nameof(CircuitBreakerOptions.BreakDuration)} must be positive.");
        }

        if (Sudo.CacheDuration < TimeSpan.Zero || Tenants.CacheDuration < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{nameof(Sudo)}.{nameof(SudoOptions.CacheDuration)} and {nameof(Tenants)}.{nameof(TenantOptions.CacheDuration)} must not be negative (zero turns the cache off).");
        }

        if (Jwt.KeyRefreshTimeout <= TimeSpan.Zero && Jwt.KeyRefreshTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new InvalidOperationException($"{nameof(Jwt)}.{nameof(JwtValidationOptions.KeyRefreshTimeout)} must be positive (or Timeout.InfiniteTimeSpan).");
        }
    }

    private void ValidateImpersonation()
    {
        Required(Sudo.Scope, $"{nameof(Sudo)}.{nameof(SudoOptions.Scope)}");
        Required(Sudo.QueryName, $"{nameof(Sudo)}.{nameof(SudoOptions.QueryName)}");
        Required(Sudo.HeaderName, $"{nameof(Sudo)}.{nameof(SudoOptions.HeaderName)}");
        if (Sudo.MaxValueLength is < 1 or > 4096)
        {
            throw new InvalidOperationException($"{nameof(Sudo)}.{nameof(SudoOptions.MaxValueLength)} must be between 1 and 4096; it is {Sudo.MaxValueLength}.");
        }

        Required(Tenants.IdQueryName, $"{nameof(Tenants)}.{nameof(TenantOptions.IdQueryName)}");
        Required(Tenants.CodeQueryName, $"{nameof(Tenants)}.{nameof(TenantOptions.CodeQueryName)}");
        Required(Tenants.IdHeaderName, $"{nameof(Tenants)}.{nameof(TenantOptions.IdHeaderName)}");
        Required(Tenants.CodeHeaderName, $"{nameof(Tenants)}.{nameof(TenantOptions.CodeHeaderName)}");

        // One name, one meaning: with a query parameter read as both the token and the sudo value, a request's token would
        // be parsed as a user to act as; with tenantId and tenantCode under one name, every tenant would be named twice.
        // Query keys and header names are case-insensitive in ASP.NET Core, so the comparison is too. Only names that are
        // read count (a switched-off source may keep its default name).
        var queries = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Sources.Query)
        {
            Distinct(queries, Sources.QueryName, $"{nameof(Sources)}.{nameof(TokenSourceOptions.QueryName)}");
        }

        if (Sources.AuthorizationHeader)
        {
            Distinct(headers, "Authorization", $"{nameof(Sources)}.{nameof(TokenSourceOptions.AuthorizationHeader)}");
        }

        if (Sources.Header)
        {
            foreach (var header in Sources.HeaderNames.Distinct(StringComparer.OrdinalIgnoreCase))
            {
                Distinct(headers, header, $"{nameof(Sources)}.{nameof(TokenSourceOptions.HeaderNames)}");
            }
        }

        if (Sudo.Enabled && Sudo.Query)
        {
            Distinct(queries, Sudo.QueryName, $"{nameof(Sudo)}.{nameof(SudoOptions.QueryName)}");
        }

        if (Sudo.Enabled && Sudo.Header)
        {
            Distinct(headers, Sudo.HeaderName, $"{nameof(Sudo)}.{nameof(SudoOptions.HeaderName)}");
        }

        if (Tenants.Enabled)
        {
            Distinct(queries, Tenants.IdQueryName, $"{nameof(Tenants)}.{nameof(TenantOptions.IdQueryName)}");
            Distinct(queries, Tenants.CodeQueryName, $"{nameof(Tenants)}.{nameof(TenantOptions.CodeQueryName)}");
            if (Tenants.Headers)
            {
                Distinct(headers, Tenants.IdHeaderName, $"{nameof(Tenants)}.{nameof(TenantOptions.IdHeaderName)}");
                Distinct(headers, Tenants.CodeHeaderName, $"{nameof(Tenants)}.{nameof(TenantOptions.CodeHeaderName)}");
            }
        }

        static void Required(string? value, string name)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new InvalidOperationException($"{name} must not be empty.");
            }
        }

        static void Distinct(Dictionary<string, string> names, string name, string option)
        {
            if (!names.TryAdd(name, option))
            {
                throw new InvalidOperationException($"{option} '{name}' is also {names[name]}: each query parameter and header may mean one thing only.");
            }
        }
    }

    private void ValidateSources()
    {
        const string prefix = nameof(Sources) + ".";
        if (Sources.Order is null)
        {
            throw new InvalidOperationException($"{prefix}{nameof(TokenSourceOptions.Order)} must not be null (leave it empty for the default order).");
        }

        foreach (var unreadable in Sources.Order.Where(s => !TokenSourceOptions.Readable.Contains(s)).Take(1))
        {
            throw new InvalidOperationException(
                $"{prefix}{nameof(TokenSourceOptions.Order)} lists '{unreadable}', which is not a place to read a token from; it orders {string.Join(", ", TokenSourceOptions.Readable)} (switch one off with its own flag).");
        }

        if (Sources.AuthorizationHeader && string.IsNullOrWhiteSpace(Sources.AuthorizationScheme))
        {
            throw new InvalidOperationException($"{prefix}{nameof(TokenSourceOptions.AuthorizationScheme)} must not be empty.");
        }

        if (Sources.Header && (Sources.HeaderNames.Count == 0 || Sources.HeaderNames.Any(string.IsNullOrWhiteSpace)))
        {
            throw new InvalidOperationException($"{prefix}{nameof(TokenSourceOptions.HeaderNames)} must name at least one header and no empty one.");
        }

        if (Sources.Query && string.IsNullOrWhiteSpace(Sources.QueryName))
        {
            throw new InvalidOperationException($"{prefix}{nameof(TokenSourceOptions.QueryName)} must not be empty.");
        }

        if (Sources.Form && string.IsNullOrWhiteSpace(Sources.FormName))
        {
            throw new InvalidOperationException($"{prefix}{nameof(TokenSourceOptions.FormName)} must not be empty.");
        }

        if (Sources.MaxFormBodyLength is < 1 or > 16 * 1024 * 1024)
        {
            throw new InvalidOperationException($"{prefix}{nameof(TokenSourceOptions.MaxFormBodyLength)} must be between 1 and 16777216.");
        }
    }

    private void ValidateJwt()
    {
        const string prefix = nameof(Jwt) + "." + nameof(JwtValidationOptions.TokenValidationParameters) + ".";
        var parameters = Jwt.TokenValidationParameters;
        var fromAuthority = Jwt.Authority is not null || Jwt.MetadataAddress is not null || Jwt.ConfigurationManager is not null;
        if (parameters.ValidateIssuer && !fromAuthority && parameters.ValidIssuer is null && parameters.ValidIssuers?.Any() != true && parameters.IssuerValidator is null)
        {
            throw new InvalidOperationException($"{prefix}ValidIssuer (or ValidIssuers) must be set, or ValidateIssuer turned off.");
        }

        if (parameters.ValidateAudience && parameters.ValidAudience is null && parameters.ValidAudiences?.Any() != true && parameters.AudienceValidator is null)
        {
            throw new InvalidOperationException($"{prefix}ValidAudience (or ValidAudiences) must be set, or ValidateAudience turned off.");
        }

        foreach (var key in (parameters.IssuerSigningKeys ?? []).Append(parameters.IssuerSigningKey))
        {
            // RFC 7518 §3.2: an HMAC key must be at least as long as the hash output.
            if (key is Microsoft.IdentityModel.Tokens.SymmetricSecurityKey { KeySize: < 256 })
            {
                throw new InvalidOperationException($"{prefix}IssuerSigningKeys holds a symmetric key shorter than 256 bits.");
            }
        }

        if (Jwt.Authority is not null && !Uri.TryCreate(Jwt.Authority, UriKind.Absolute, out _))
        {
            throw new InvalidOperationException($"{nameof(Jwt)}.{nameof(JwtValidationOptions.Authority)} must be an absolute URI.");
        }

        if (Jwt.RequireHttpsMetadata && (Jwt.MetadataAddress ?? Jwt.Authority) is { } address && !address.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{nameof(Jwt)}.{nameof(JwtValidationOptions.RequireHttpsMetadata)} is on, so the metadata address must use HTTPS.");
        }

        if (Jwt.CacheValidatedTokens && (Jwt.CacheDuration <= TimeSpan.Zero || Jwt.CacheDuration > TimeSpan.FromDays(1)))
        {
            throw new InvalidOperationException($"{nameof(Jwt)}.{nameof(JwtValidationOptions.CacheDuration)} must be positive and at most a day.");
        }
    }
}
