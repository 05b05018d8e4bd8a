using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace TokenAuth;

/// <summary>
/// Fills pluggable defaults: the authority's configuration manager, the introspection protocol, and the validator the
/// options ask for — JWT, token store and introspection, each behind the validation cache where it is used.
/// </summary>
internal sealed class TokenAuthPostConfigureOptions(IServiceProvider services) : IPostConfigureOptions<TokenAuthOptions>
{
    internal const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public void PostConfigure(string? name, TokenAuthOptions options)
    {
        options.TimeProvider ??= services.GetService<TimeProvider>() ?? TimeProvider.System;
        options.Metrics ??= services.GetService<TokenAuthMetrics>();
        if (options.Jwt is null || options.Sources is null || options.CircuitBreaker is null)
        {
            // Validate, which runs next, names the section; there is no validator to build without it.
            return;
        }

        var jwt = options.Jwt;
        if (jwt.ConfigurationManager is null && (jwt.MetadataAddress ?? jwt.Authority) is not null)
        {
            var address = jwt.MetadataAddress ?? jwt.Authority!.TrimEnd('/') + "/.well-known/openid-configuration";
            var http = new HttpClient(jwt.BackchannelHttpHandler ?? new HttpClientHandler())
            {
                Timeout = jwt.BackchannelTimeout,
                MaxResponseContentBufferSize = 10 * 1024 * 1024,
            };
            var documents = new HttpDocumentRetriever(http) { RequireHttps = jwt.RequireHttpsMetadata };
            jwt.KeysFetched = new SigningKeyClock(options.TimeProvider);
            jwt.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(address, jwt.KeysFetched.Retriever(), documents)
            {
                AutomaticRefreshInterval = jwt.AutomaticRefreshInterval,
                RefreshInterval = jwt.RefreshInterval,
            };

            // An unknown key id waits for one shared, bounded, rate-limited refresh instead of IdentityModel's background one.
            jwt.KeyRefresher = new SigningKeyRefresher(
                address, documents, jwt, options.TimeProvider, services.GetRequiredService<ILoggerFactory>().CreateLogger<JwtTokenValidator>(), options.Metrics, jwt.KeysFetched);
        }

        if (jwt.ConfigurationManager is not null)
        {
            options.HealthProbes.Add(new SigningKeysProbe(jwt, options.TimeProvider));
        }

        var loggers = services.GetRequiredService<ILoggerFactory>();
        if (options.Sources.Query && loggers.CreateLogger(HostingDiagnosticsCategory).IsEnabled(LogLevel.Information))
        {
            // The hosting layer's "Request starting" line carries the full URL, query token included, before any middleware runs.
            Log.QueryTokensReachHostingLogs(loggers.CreateLogger<TokenAuthHandler>(), name ?? string.Empty, HostingDiagnosticsCategory);
        }

        if (options.Validator is not null)
        {
            return;
        }

        ITokenValidator? jwtValidator = jwt.IsConfigured ? new JwtTokenValidator(jwt, options.TimeProvider, loggers.CreateLogger<JwtTokenValidator>()) : null;
        if (jwtValidator is not null && jwt.CacheValidatedTokens)
        {
            jwtValidator = Cached(name, jwtValidator, TokenCacheKind.Jwt, new TokenCachePolicy(jwt.CacheDuration, TimeSpan.Zero, distributed: false));
        }

        if (options.UseTokenStore)
        {
            options.HealthProbes.Add(new TokenStoreProbe(services.GetRequiredService<ITokenStore>()));
        }

        ITokenValidator? storeValidator = options.UseTokenStore
            ? new StoreTokenValidator(services.GetRequiredService<ITokenStore>(), options.TimeProvider, options.Backends.TokenStore, loggers.CreateLogger<StoreTokenValidator>())
            : null;
        // A memory copy only where a revocation reaches every node's memory (the Redis bus): with the in-process bus, a
        // token revoked on one node would stay accepted by the others for the copy's lifetime.
        var crossNodeRevocation = services.GetService<IRevocationBus>() is not (null or LocalRevocationBus);
        var storeCacheDuration = options.StoreCacheDuration
            ?? (services.GetService<ITokenStore>() switch
            {
                RedisTokenStore => TokenAuthOptions.DistributedStoreCacheDuration,
                DistributedCacheTokenStore when crossNodeRevocation => TokenAuthOptions.DistributedStoreCacheDuration,
                _ => TimeSpan.Zero,
            });
        if (storeValidator is not null && storeCacheDuration > TimeSpan.Zero)
        {
            // Memory only and no negative entries: a store miss is asked again, and the store itself is the shared level.
            storeValidator = Cached(name, storeValidator, TokenCacheKind.Store, new TokenCachePolicy(storeCacheDuration, TimeSpan.Zero, distributed: false));
        }

        ITokenValidator? introspectionValidator = null;
        if (options.Introspection is { IsConfigured: true } introspection)
        {
            introspection.Protocol ??= IntrospectionProtocols.Rfc7662;
            var introspector = new IntrospectionTokenValidator(
                name ?? string.Empty, introspection, services.GetRequiredService<IHttpClientFactory>(), options.TimeProvider, loggers.CreateLogger<IntrospectionTokenValidator>(), options.Metrics);
            options.HealthProbes.Add(new IntrospectionProbe(introspector, options.TimeProvider));
            introspectionValidator = Cached(name, introspector, TokenCacheKind.Introspection, new TokenCachePolicy(introspection.CacheDuration, introspection.InactiveCacheDuration, distributed: true));
        }

        options.Validator = CompositeTokenValidator.For(jwtValidator, storeValidator, introspectionValidator);
    }

    private CachedTokenValidator Cached(string? scheme, ITokenValidator inner, TokenCacheKind kind, TokenCachePolicy policy)
    {
        var cache = services.GetRequiredService<TokenCache>();
        scheme ??= TokenAuthDefaults.AuthenticationScheme;
        return new(inner, cache, cache.For(kind, scheme), policy);
    }
}
