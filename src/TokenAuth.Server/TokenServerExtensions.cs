using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TokenAuth;
using TokenAuth.Server;

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>Registers the TokenAuth token server.</summary>
    public static class TokenServerServiceCollectionExtensions
    {
        /// <summary>
        /// Adds the token server's services: the configuration-based <see cref="IClientStore"/>, the in-memory
        /// <see cref="IGrantStore"/> and <c>ITokenStore</c> — each unless another is registered — and the endpoints.
        /// Users for the password and code grants come from an <see cref="ITokenUserStore"/> the host registers.
        /// The authorization endpoint's pages use antiforgery and Data Protection (both registered here): several
        /// instances need a shared Data Protection key ring.
        /// </summary>
        /// <param name="services">The services.</param>
        /// <param name="configure">Configures the server.</param>
        /// <returns>The services.</returns>
        public static IServiceCollection AddTokenAuthServer(this IServiceCollection services, Action<TokenServerOptions> configure)
        {
            ArgumentNullException.ThrowIfNull(services);
            ArgumentNullException.ThrowIfNull(configure);
            services.AddOptions<TokenServerOptions>().Configure(configure).Validate(o =>
            {
                o.Validate();
                return true;
            }).ValidateOnStart();
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton<ITokenStore, InMemoryTokenStore>();
            // Revoked access tokens are forgotten on every node (through Redis when the store is there).
            services.AddTokenAuthRevocation();
            services.TryAddSingleton<IClientStore, InMemoryClientStore>();
            services.TryAddSingleton<IGrantStore, InMemoryGrantStore>();
            services.TryAddSingleton<AuthenticationThrottle>();
            services.TryAddSingleton<ClientAuthenticator>();
            services.TryAddSingleton<UserAuthenticator>();
            services.TryAddSingleton<TokenIssuer>();
            services.TryAddSingleton<ITokenIssuer, HostTokenIssuer>();
            services.TryAddSingleton<TokenEndpoint>();
            services.TryAddSingleton<CheckEndpoint>();
            services.TryAddSingleton<RevokeEndpoint>();
            services.TryAddSingleton<IntrospectEndpoint>();
            // The authorization endpoint's forms carry antiforgery tokens; its sign-in cookie is Data Protection-protected.
            services.AddAntiforgery();
            services.TryAddSingleton<LoginCookie>();
            services.TryAddSingleton<AuthorizeEndpoint>();
            return services;
        }

        /// <summary>Registers the host's user store for the password and authorization code grants.</summary>
        /// <typeparam name="TStore">The store.</typeparam>
        /// <param name="services">The services.</param>
        /// <param name="lifetime">The store's lifetime; scoped by default, so that it may use a <c>DbContext</c>.</param>
        /// <returns>The services.</returns>
        public static IServiceCollection AddTokenAuthUsers<TStore>(this IServiceCollection services, ServiceLifetime lifetime = ServiceLifetime.Scoped)
            where TStore : class, ITokenUserStore
        {
            ArgumentNullException.ThrowIfNull(services);
            services.Replace(ServiceDescriptor.Describe(typeof(ITokenUserStore), typeof(TStore), lifetime));
            return services;
        }
    }
}

namespace Microsoft.AspNetCore.Builder
{
    /// <summary>Maps the TokenAuth token server's endpoints.</summary>
    public static class TokenServerEndpointRouteBuilderExtensions
    {
        /// <summary>
        /// Maps one endpoint per <see cref="TokenServerOptions.Profiles"/> entry (by default the RFC token, authorize,
        /// revoke and introspect endpoints under <c>/oauth/</c>). The endpoints allow anonymous callers — clients
        /// authenticate with their own credentials — and TokenAuth does not look for a bearer token on them.
        /// </summary>
        /// <param name="endpoints">The route builder.</param>
        /// <returns>A builder to add conventions (rate limiting, CORS…) to every server endpoint.</returns>
        public static IEndpointConventionBuilder MapTokenAuthServer(this IEndpointRouteBuilder endpoints)
        {
            ArgumentNullException.ThrowIfNull(endpoints);
            var options = endpoints.ServiceProvider.GetRequiredService<IOptions<TokenServerOptions>>().Value;
            var group = endpoints.MapGroup(string.Empty);
            foreach (var profile in options.Profiles)
            {
                var endpoint = new ServerEndpoint(profile);
                RequestDelegate handler = profile.Kind switch
                {
                    TokenServerEndpointKind.Token => context => context.RequestServices.GetRequiredService<TokenEndpoint>().HandleAsync(context, endpoint),
                    TokenServerEndpointKind.Check => context => context.RequestServices.GetRequiredService<CheckEndpoint>().HandleAsync(context, endpoint),
                    TokenServerEndpointKind.Revoke => context => context.RequestServices.GetRequiredService<RevokeEndpoint>().HandleAsync(context, endpoint),
                    TokenServerEndpointKind.Introspect => context => context.RequestServices.GetRequiredService<IntrospectEndpoint>().HandleAsync(context, endpoint),
                    _ => context => context.RequestServices.GetRequiredService<AuthorizeEndpoint>().HandleAsync(context, endpoint),
                };
                group.MapMethods(profile.Path, [.. profile.Methods], handler)
                    .WithName("TokenAuth." + profile.Name)
                    .WithDisplayName($"TokenAuth {profile.Kind} ({profile.Name})");
            }

            group.AllowAnonymous().SkipTokenAuthentication().DisableAntiforgery();
            return group;
        }
    }
}
