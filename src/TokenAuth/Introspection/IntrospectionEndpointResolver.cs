using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace TokenAuth;

/// <summary>
/// Finds the introspection endpoint: the configured one, or the <c>introspection_endpoint</c> of the authority's RFC 8414
/// metadata, else its OpenID Connect discovery document. A discovered endpoint is kept for
/// <see cref="IntrospectionOptions.DiscoveryRefreshInterval"/>; concurrent lookups share one fetch; a failed fetch is never
/// kept — without an earlier endpoint it is an outage (503) and the next request tries again; with one, the earlier
/// endpoint is used and the fetch is tried again a little later.
/// </summary>
internal sealed class IntrospectionEndpointResolver
{
    private static readonly TimeSpan RetryAfterFailedRefresh = TimeSpan.FromSeconds(30);

    private readonly IntrospectionOptions _options;
    private readonly Func<HttpClient> _client;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Uri? _configured;
    private readonly object _gate = new();
    private Discovered? _current;
    private Task<Discovered>? _pending;

    public IntrospectionEndpointResolver(IntrospectionOptions options, Func<HttpClient> client, TimeProvider time, ILogger logger)
    {
        _options = options;
        _client = client;
        _time = time;
        _logger = logger;
        if (!string.IsNullOrWhiteSpace(options.Endpoint) && Uri.TryCreate(options.Endpoint, UriKind.Absolute, out var endpoint))
        {
            _configured = endpoint;
        }
    }

    /// <summary>Whether the endpoint is the configured one (not discovered).</summary>
    public bool IsConfigured => _configured is not null;

    /// <summary>The endpoint; throws <see cref="IntrospectionDiscoveryException"/> when none can be had now.</summary>
    public async ValueTask<Uri> GetAsync(CancellationToken cancellationToken)
    {
        if (_configured is not null)
        {
            return _configured;
        }

        var current = Volatile.Read(ref _current);
        var now = _time.GetUtcNow();
        if (current is not null && now < current.RefreshAt)
        {
            return current.Endpoint;
        }

        Task<Discovered> pending;
        lock (_gate)
        {
            // One fetch for everyone waiting, not tied to any one request: a caller that gives up does not cancel the others.
            pending = _pending ??= FetchAsync(current);
        }

        if (current is not null)
        {
            // Refreshing: keep serving the endpoint we have; the fetch goes on in the background.
            return current.Endpoint;
        }

        return (await pending.WaitAsync(cancellationToken)).Endpoint;
    }

    private async Task<Discovered> FetchAsync(Discovered? previous)
    {
        await Task.Yield();
        try
        {
            var discovered = await DiscoverAsync();
            Volatile.Write(ref _current, discovered);
            return discovered;
        }
        catch (Exception ex) when (previous is not null)
        {
            Log.IntrospectionDiscoveryFailed(_logger, _options.Authority ?? string.Empty, "refresh failed; the last endpoint stays in use", ex);
            var kept = previous with { RefreshAt = _time.GetUtcNow() + Min(RetryAfterFailedRefresh, _options.DiscoveryRefreshInterval) };
            Volatile.Write(ref _current, kept);
            return kept;
        }
        catch (Exception ex)
        {
            Log.IntrospectionDiscoveryFailed(_logger, _options.Authority ?? string.Empty, ex.Message, ex);
            throw ex as IntrospectionDiscoveryException ?? new IntrospectionDiscoveryException("The authorization server's metadata could not be read.", ex);
        }
        finally
        {
            lock (_gate)
            {
                _pending = null;
            }
        }
    }

    private async Task<Discovered> DiscoverAsync()
    {
        var authority = new Uri(_options.Authority!.Trim(), UriKind.Absolute);
        var failures = new List<string>(2);
        foreach (var document in DocumentAddresses(authority))
        {
            var (endpoint, failure) = await ReadDocumentAsync(document, authority);
            if (endpoint is not null)
            {
                Log.IntrospectionEndpointDiscovered(_logger, endpoint.GetLeftPart(UriPartial.Path), document.GetLeftPart(UriPartial.Path));
                return new Discovered(endpoint, _time.GetUtcNow() + _options.DiscoveryRefreshInterval);
            }

            failures.Add(failure!);
        }

        throw new IntrospectionDiscoveryException("No introspection endpoint was found in the authorization server's metadata: " + string.Join(" ", failures));
    }

    /// <summary>
    /// RFC 8414 §3.1 inserts the well-known segment before the issuer's path; OpenID Connect Discovery 1.0 §4 appends it.
    /// </summary>
    internal static IEnumerable<Uri> DocumentAddresses(Uri authority)
    {
        var root = authority.GetLeftPart(UriPartial.Authority);
        var path = authority.AbsolutePath.TrimEnd('/');
        yield return new Uri(root + "/.well-known/oauth-authorization-server" + path);
        yield return new Uri(root + path + "/.well-known/openid-configuration");
    }

    private async Task<(Uri? Endpoint, string? Failure)> ReadDocumentAsync(Uri address, Uri authority)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, address);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        // The client's pipeline times out only until the headers; a document that stalls mid-body would hold this fetch,
        // which every request waits for, until the server closes the connection. Held to the introspection deadline.
        using var deadline = new CancellationTokenSource(_options.Timeout);
        using var response = await _client().SendAsync(request, deadline.Token);
        var name = address.AbsolutePath;
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (null, $"{name} answered {(int)response.StatusCode}.");
        }

        using var document = await IntrospectionJson.ParseAsync(response.Content, deadline.Token);
        if (document?.RootElement.ValueKind != JsonValueKind.Object)
        {
            return (null, $"{name} is not a JSON object.");
        }

        var root = document.RootElement;
        // RFC 8414 §3.3, OpenID Connect Discovery §4.3: the document must name the issuer it was asked for.
        if (!IntrospectionJson.TryReadString(root, "issuer", out var issuer) || issuer is null || !SameIssuer(issuer, authority))
        {
            return (null, $"{name} names another issuer.");
        }

        if (!IntrospectionJson.TryReadString(root, "introspection_endpoint", out var value) || value is null)
        {
            return (null, $"{name} has no introspection_endpoint.");
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var endpoint) || !_options.IsAllowed(endpoint))
        {
            return (null, $"{name} names an introspection_endpoint that is not an allowed absolute URI.");
        }

        return (endpoint, null);
    }

    private static bool SameIssuer(string issuer, Uri authority)
        => Uri.TryCreate(issuer, UriKind.Absolute, out var named)
           && string.Equals(named.AbsoluteUri.TrimEnd('/'), authority.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed record Discovered(Uri Endpoint, DateTimeOffset RefreshAt);
}

