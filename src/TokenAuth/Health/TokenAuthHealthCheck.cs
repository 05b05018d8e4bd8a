using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace TokenAuth;

/// <summary>
/// The health of one TokenAuth scheme's backends: every probe the scheme's options made (the token store, the
/// introspection authority, the signing keys — whichever are configured) asked at once. Healthy when each can serve
/// requests; otherwise the registration's failure status, with a description that names the part that cannot (and never a
/// secret, a token or a connection string). A scheme validated entirely in memory (in-memory store, static keys) has
/// nothing to ask and is healthy.
/// </summary>
internal sealed class TokenAuthHealthCheck(IOptionsMonitor<TokenAuthOptions> options, string scheme) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var probes = options.Get(scheme).HealthProbes;
        if (probes.Count == 0)
        {
            return HealthCheckResult.Healthy($"TokenAuth ({scheme}): no backend to ask (validated in memory).");
        }

        var results = await Task.WhenAll(probes.Select(probe => probe.ProbeAsync(cancellationToken)));
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var down = new List<string>();
        for (var i = 0; i < probes.Count; i++)
        {
            data[probes[i].Part] = results[i].Description;
            if (!results[i].Healthy)
            {
                down.Add(string.Create(CultureInfo.InvariantCulture, $"{probes[i].Part}: {results[i].Description}"));
            }
        }

        return down.Count == 0
            ? HealthCheckResult.Healthy($"TokenAuth ({scheme}): {string.Join("; ", probes.Select((p, i) => $"{p.Part}: {results[i].Description}"))}", data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"TokenAuth ({scheme}) cannot validate tokens: {string.Join("; ", down)}", data: data);
    }
}
