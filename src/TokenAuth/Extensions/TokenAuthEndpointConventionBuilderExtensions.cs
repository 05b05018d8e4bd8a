using Microsoft.AspNetCore.Http;
using TokenAuth;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Endpoint conventions of TokenAuth.</summary>
public static class TokenAuthEndpointConventionBuilderExtensions
{
    /// <summary>TokenAuth does not look for a token on these endpoints (see <see cref="SkipTokenAuthenticationAttribute"/>).</summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The endpoint builder.</param>
    /// <returns>The builder.</returns>
    public static TBuilder SkipTokenAuthentication<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new SkipTokenAuthenticationAttribute());
    }
}
