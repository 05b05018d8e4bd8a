using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using TokenAuth;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks of TokenAuth's backends: <c>services.AddHealthChecks().AddTokenAuth()</c>.</summary>
public static class TokenAuthHealthCheckExtensions
{
    /// <summary>The time a check may take by default: a backend that answers later is reported as not answering.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Adds a check of what <paramref name="authenticationScheme"/> validates tokens against — its token store (a Redis
    /// <c>PING</c>, or a distributed-cache read), its introspection authority (the endpoint, discovered and cached; a
    /// circuit that has paused introspection) and its signing keys (present, and fetched within their refresh interval),
    /// whichever are configured. Unhealthy (or <paramref name="failureStatus"/>) names the part that cannot serve, never a
    /// secret, token or connection string; each part's finding is in the result's data. Nothing is registered by
    /// <c>AddTokenAuth</c> itself.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="authenticationScheme">The TokenAuth scheme to check.</param>
    /// <param name="name">The check's name; default <c>tokenauth</c> (<c>tokenauth-&lt;scheme&gt;</c> for another scheme).</param>
    /// <param name="failureStatus">What a failing backend reports; default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter checks by (e.g. <c>ready</c>).</param>
    /// <param name="timeout">How long the check may take; default <see cref="DefaultTimeout"/>.</param>
    /// <returns>The builder, to chain further checks.</returns>
    public static IHealthChecksBuilder AddTokenAuth(
        this IHealthChecksBuilder builder,
        string authenticationScheme = TokenAuthDefaults.AuthenticationScheme,
        string? name = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(authenticationScheme);
        name ??= authenticationScheme == TokenAuthDefaults.AuthenticationScheme ? "tokenauth" : "tokenauth-" + authenticationScheme;
        return builder.Add(new HealthCheckRegistration(
            name,
            services => new TokenAuthHealthCheck(services.GetRequiredService<IOptionsMonitor<TokenAuthOptions>>(), authenticationScheme),
            failureStatus,
            tags,
            timeout ?? DefaultTimeout));
    }
}
