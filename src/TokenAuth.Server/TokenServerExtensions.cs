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
        /// Adds the token server's services: the configuration-based <see cref="IClientStore"/> (unless one is
        /// registered), the token issuer, and the in-memory <c>ITokenStore</c> unless another store is registered.
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
            services.TryAddSingleton<IClientStore, InMemoryClientStore>();
            services.TryAddSingleton<IGrantStore, InMemoryGrantStore>();
            services.TryAddSingleton<ClientAuthenticator>();
            services.TryAddSingleton<AccessTokenIssuer>();
            services.TryAddSingleton<TokenEndpoint>();
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
        /// Maps the token endpoint (<c>POST /oauth/token</c> by default). The endpoints allow anonymous
        /// callers: clients authenticate with their own credentials.
        /// </summary>
        /// <param name="endpoints">The route builder.</param>
        /// <returns>A builder to add conventions (rate limiting, CORS…) to every server endpoint.</returns>
        public static IEndpointConventionBuilder MapTokenAuthServer(this IEndpointRouteBuilder endpoints)
        {
            ArgumentNullException.ThrowIfNull(endpoints);
            var options = endpoints.ServiceProvider.GetRequiredService<IOptions<TokenServerOptions>>().Value;
            var group = endpoints.MapGroup(string.Empty);
            group.MapPost(options.TokenEndpointPath, (HttpContext context, TokenEndpoint endpoint) => endpoint.HandleAsync(context))
                .WithName("TokenAuth.Token")
                .DisableAntiforgery();
            group.AllowAnonymous();
            return group;
        }
    }
}
