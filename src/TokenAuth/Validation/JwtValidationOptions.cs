using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth;

/// <summary>
/// Local JWT validation: signing keys given directly (HS256/384/512, RS256, ES256…) or fetched from an
/// authority's discovery document and JWKS, refreshed when an unknown key id appears.
/// </summary>
public sealed class JwtValidationOptions
{
    /// <summary>
    /// The issuer's base address; its <c>/.well-known/openid-configuration</c> supplies the issuer and signing keys.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>The discovery document's address, when it is not under <see cref="Authority"/>.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>Whether the discovery document must be fetched over HTTPS. Default <see langword="true"/>; only tests turn it off.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The handler used to fetch discovery documents and keys (tests and proxies).</summary>
    public HttpMessageHandler? BackchannelHttpHandler { get; set; }

    /// <summary>The time-out of the backchannel. Default one minute.</summary>
    public TimeSpan BackchannelTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the discovery document is refreshed even when keys match. Default 12 hours.</summary>
    public TimeSpan AutomaticRefreshInterval { get; set; } = ConfigurationManager<OpenIdConnectConfiguration>.DefaultAutomaticRefreshInterval;

    /// <summary>
    /// The least time between two refreshes forced by an unknown key id: at most one per interval, however many
    /// unknown key ids arrive, so that made-up ones cannot hammer the authority. The first is allowed at any time.
    /// Default 5 minutes.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = ConfigurationManager<OpenIdConnectConfiguration>.DefaultRefreshInterval;

    /// <summary>
    /// How long a request waits for the authority's keys: their first retrieval, and the one shared refresh an unknown
    /// key id starts. Past it the request does not wait any longer (the fetch goes on for later requests): with no keys
    /// yet it is answered 503; with keys, the token is checked against the keys already known. Default 2 seconds.
    /// </summary>
    public TimeSpan KeyRefreshTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Supplies the authority's configuration; created from <see cref="Authority"/> when not set. With a manager of your
    /// own, an unknown key id only calls its <c>RequestRefresh()</c> and retries once with what it then returns.
    /// </summary>
    public IConfigurationManager<OpenIdConnectConfiguration>? ConfigurationManager { get; set; }

    /// <summary>The awaited, single-flight refresh of the keys; set with the <see cref="ConfigurationManager"/> TokenAuth creates.</summary>
    internal SigningKeyRefresher? KeyRefresher { get; set; }

    /// <summary>When the keys were last fetched; set with the <see cref="ConfigurationManager"/> TokenAuth creates.</summary>
    internal SigningKeyClock? KeysFetched { get; set; }

    /// <summary>
    /// The IdentityModel validation rules: issuer, audience, signing keys, algorithms. Lifetime is checked by
    /// TokenAuth itself with the scheme's <see cref="TimeProvider"/> and this object's <c>ClockSkew</c>, also for
    /// tokens whose expiry claim is not <c>exp</c>. When <c>ValidAlgorithms</c> is empty, only the algorithms that
    /// fit the configured keys are accepted, which closes the RS256→HS256 key-confusion attack.
    /// </summary>
    public TokenValidationParameters TokenValidationParameters { get; set; } = new();

    /// <summary>Which claims fill which <see cref="TokenInfo"/> member.</summary>
    public JwtClaimMapping Claims { get; set; } = new();

    /// <summary>
    /// Whether a validated JWT is kept in memory, by its hash, for <see cref="CacheDuration"/> (never past its expiry), so
    /// that its signature is not checked again on every request. Default <see langword="false"/>: validation is cheap, and
    /// a cache only pays for itself with expensive keys or very hot tokens. Invalid tokens are never cached.
    /// </summary>
    public bool CacheValidatedTokens { get; set; }

    /// <summary>How long a validated JWT is kept with <see cref="CacheValidatedTokens"/>. Default 5 minutes.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Whether anything has been configured that lets JWTs be validated.</summary>
    internal bool IsConfigured
        => Authority is not null || MetadataAddress is not null || ConfigurationManager is not null
           || TokenValidationParameters.IssuerSigningKey is not null
           || TokenValidationParameters.IssuerSigningKeys?.Any() == true
           || TokenValidationParameters.IssuerSigningKeyResolver is not null
           || TokenValidationParameters.IssuerSigningKeyResolverUsingConfiguration is not null;
}
