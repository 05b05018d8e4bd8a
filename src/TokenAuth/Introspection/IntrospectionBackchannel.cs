using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace TokenAuth;

/// <summary>
/// The introspection backchannel: one named <see cref="HttpClient"/> per scheme from <see cref="IHttpClientFactory"/>
/// (pooled connections, DNS refresh), with a resilience pipeline — a total timeout, retries of transient failures,
/// a circuit breaker and a per-attempt timeout — whose settings are read from the scheme's options when the client is
/// first built, so that configuration alone turns introspection on.
/// </summary>
internal static class IntrospectionBackchannel
{
    /// <summary>Answers (and discovery documents) larger than this are refused unread: an outage, not a verdict.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    public static string ClientName(string scheme) => TokenAuthDefaults.IntrospectionHttpClientName + "." + scheme;

    /// <summary>Registers the scheme's client once, however often the scheme's registration runs.</summary>
    public static void Register(IServiceCollection services, string scheme)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(Registration) && descriptor.ImplementationInstance is Registration { Scheme: var registered } && registered == scheme)
            {
                return;
            }
        }

        services.AddSingleton(new Registration(scheme));
        services.AddHttpClient(ClientName(scheme), client =>
            {
                // The pipeline's timeouts govern; the client's own 100 s default would only hide them.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.MaxResponseContentBufferSize = MaxResponseBytes;
            })
            .AddResilienceHandler("TokenAuth.Introspection", (builder, context) =>
                Configure(builder, context.ServiceProvider.GetRequiredService<IOptionsMonitor<TokenAuthOptions>>().Get(scheme).Introspection));
    }

    private static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, IntrospectionOptions options)
    {
        // Network deadlines are wall-clock time, whatever TimeProvider the host (or a test's fake clock) registered.
        builder.TimeProvider = TimeProvider.System;
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "Total", Timeout = options.Timeout });
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                // A Retry-After of seconds would only run into the total timeout; the 503 we answer carries our own.
                ShouldRetryAfterHeader = false,
            });
        }

        var breaker = options.CircuitBreaker;
        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            FailureRatio = breaker.FailureRatio,
            MinimumThroughput = breaker.MinimumThroughput,
            SamplingDuration = breaker.SamplingDuration,
            BreakDuration = breaker.BreakDuration,
        });
        builder.AddTimeout(new HttpTimeoutStrategyOptions { Name = "Attempt", Timeout = options.AttemptTimeout });
    }

    /// <summary>Marks a scheme whose client is registered.</summary>
    private sealed record Registration(string Scheme);
}
