using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace TokenAuth;

/// <summary>Fills pluggable defaults: the authority's configuration manager and the validator the options ask for.</summary>
internal sealed class TokenAuthPostConfigureOptions(IServiceProvider services) : IPostConfigureOptions<TokenAuthOptions>
{
    internal const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public void PostConfigure(string? name, TokenAuthOptions options)
    {
        options.TimeProvider ??= services.GetService<TimeProvider>() ?? TimeProvider.System;
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
            jwt.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(address, new OpenIdConnectConfigurationRetriever(), documents)
            {
                AutomaticRefreshInterval = jwt.AutomaticRefreshInterval,
                RefreshInterval = jwt.RefreshInterval,
            };

            // An unknown key id waits for one shared, bounded, rate-limited refresh instead of IdentityModel's background one.
            jwt.KeyRefresher = new SigningKeyRefresher(
                address, documents, jwt, options.TimeProvider, services.GetRequiredService<ILoggerFactory>().CreateLogger<JwtTokenValidator>());
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

        var jwtValidator = jwt.IsConfigured ? new JwtTokenValidator(jwt, options.TimeProvider, loggers.CreateLogger<JwtTokenValidator>()) : null;
        var storeValidator = options.UseTokenStore
            ? new StoreTokenValidator(services.GetRequiredService<ITokenStore>(), options.TimeProvider, options.Backends.TokenStore, loggers.CreateLogger<StoreTokenValidator>())
            : null;
        options.Validator = (jwtValidator, storeValidator) switch
        {
            (not null, not null) => new CompositeTokenValidator(jwtValidator, storeValidator),
            (not null, null) => jwtValidator,
            (null, not null) => storeValidator,
            _ => null,
        };
    }
}
