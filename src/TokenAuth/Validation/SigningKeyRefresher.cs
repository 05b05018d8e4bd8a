using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace TokenAuth;

/// <summary>
/// Refreshes the authority's discovery document and JWKS when a token names a key id that is not known, so that
/// the request that meets a rotated key is answered on the spot. IdentityModel 8's <c>RequestRefresh()</c> only
/// refreshes in the background, so that request would be refused. The refresh here is:
/// <list type="bullet">
/// <item>single-flight: concurrent requests with unknown key ids share one fetch;</item>
/// <item>awaited but bounded: each request waits at most <see cref="JwtValidationOptions.KeyRefreshTimeout"/>; the
/// fetch itself goes on (bounded by the backchannel's time-out) and serves later requests;</item>
/// <item>rate-limited: at most one per <see cref="JwtValidationOptions.RefreshInterval"/> (the first at any time), so
/// made-up key ids cannot hammer the authority.</item>
/// </list>
/// The refreshed configuration is used for as long as the configuration manager still returns the configuration it
/// replaced; once the manager has fetched one of its own (its automatic refresh), the manager's is newer and wins.
/// A refresh that fails, times out or is throttled leaves the keys as they were.
/// </summary>
internal sealed class SigningKeyRefresher(
    string metadataAddress, IDocumentRetriever documents, JwtValidationOptions options, TimeProvider timeProvider, ILogger logger, TokenAuthMetrics? metrics = null, SigningKeyClock? clock = null)
{
    private readonly Lock _lock = new();
    private Task? _refresh;
    private DateTimeOffset? _lastStarted;
    private Snapshot? _latest;

    /// <summary>The newest configuration: the refreshed one while the manager still returns the one it replaced, else <paramref name="fromManager"/>.</summary>
    /// <param name="fromManager">What the configuration manager returned.</param>
    public OpenIdConnectConfiguration Latest(OpenIdConnectConfiguration fromManager)
        => Volatile.Read(ref _latest) is { } latest && ReferenceEquals(latest.Replaced, fromManager) ? latest.Refreshed : fromManager;

    /// <summary>
    /// Starts a refresh, or joins the one in flight, and waits for it up to the time-out; throttled, it returns at once.
    /// </summary>
    /// <param name="fromManager">What the configuration manager returned for this request.</param>
    /// <param name="cancellationToken">The request's.</param>
    /// <returns>The newest configuration afterwards (the same one when nothing newer was fetched).</returns>
    public async ValueTask<OpenIdConnectConfiguration> RefreshAsync(OpenIdConnectConfiguration fromManager, CancellationToken cancellationToken)
    {
        Task refresh;
        var start = false;
        TaskCompletionSource? completion = null;
        lock (_lock)
        {
            if (_refresh is { IsCompleted: false } running)
            {
                refresh = running;
            }
            else if (_lastStarted is { } last && timeProvider.GetUtcNow() - last < options.RefreshInterval)
            {
                Log.SigningKeysRefreshThrottled(logger, options.RefreshInterval);
                return Latest(fromManager);
            }
            else
            {
                _lastStarted = timeProvider.GetUtcNow();
                completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                refresh = _refresh = completion.Task;
                start = true;
            }
        }

        if (start)
        {
            // Not awaited here: the fetch belongs to every waiter, not to this request (whose abort must not cancel it).
            _ = FetchAsync(fromManager, completion!);
        }

        try
        {
            await refresh.WaitAsync(options.KeyRefreshTimeout, timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.SigningKeysRefreshTimedOut(logger, options.KeyRefreshTimeout);
        }

        return Latest(fromManager);
    }

    /// <summary>Fetches the configuration; never throws, so no waiter ever sees (or leaves unobserved) its failure.</summary>
    private async Task FetchAsync(OpenIdConnectConfiguration replaced, TaskCompletionSource completion)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = "failure";
        try
        {
            // The backchannel's HttpClient bounds the fetch (BackchannelTimeout).
            var configuration = await OpenIdConnectConfigurationRetriever.GetAsync(metadataAddress, documents, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _latest, new Snapshot(configuration, replaced));
            clock?.Fetched();
            Log.SigningKeysRefreshed(logger, configuration.SigningKeys.Count);
            outcome = "success";
        }
        catch (Exception ex)
        {
            Log.SigningKeysRefreshFailed(logger, ex);
        }
        finally
        {
            metrics?.BackendCall("signing_keys", outcome, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            completion.SetResult();
        }
    }

    private sealed record Snapshot(OpenIdConnectConfiguration Refreshed, OpenIdConnectConfiguration Replaced);
}
