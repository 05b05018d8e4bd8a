using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace TokenAuth;

/// <summary>
/// Validates a token by asking the authorization server (RFC 7662, or the configured <see cref="IIntrospectionProtocol"/>).
/// Only the token travels, in the request the protocol writes; it is never logged (log lines name its hash prefix). An
/// authority that cannot be reached, times out, errs or answers something unreadable is
/// <see cref="TokenCheckStatus.Unavailable"/>: a 503, never a 401. Caching is <see cref="CachedTokenValidator"/>'s job.
/// </summary>
internal sealed class IntrospectionTokenValidator : ITokenValidator
{
    private readonly IntrospectionOptions _options;
    private readonly IIntrospectionProtocol _protocol;
    private readonly IHttpClientFactory _clients;
    private readonly string _clientName;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IntrospectionEndpointResolver _endpoints;

    private readonly TokenAuthMetrics? _metrics;

    // When the circuit last turned a call away, plus its break: until then introspection is paused (Unix ms; 0: never).
    private long _pausedUntil;

    public IntrospectionTokenValidator(string scheme, IntrospectionOptions options, IHttpClientFactory clients, TimeProvider time, ILogger logger, TokenAuthMetrics? metrics = null)
    {
        _metrics = metrics;
        _options = options;
        _protocol = options.Protocol ?? IntrospectionProtocols.Rfc7662;
        _clients = clients;
        _clientName = IntrospectionBackchannel.ClientName(scheme);
        _time = time;
        _logger = logger;
        _endpoints = new IntrospectionEndpointResolver(options, () => clients.CreateClient(_clientName), time, logger);
    }

    /// <summary>Finds the endpoint (for the health check, which asks it without introspecting anything).</summary>
    internal IntrospectionEndpointResolver Endpoints => _endpoints;

    /// <summary>Until when the circuit has paused introspection, as last seen by a call; <see langword="null"/> if never.</summary>
    internal DateTimeOffset? PausedUntil => Interlocked.Read(ref _pausedUntil) is var until and not 0 ? DateTimeOffset.FromUnixTimeMilliseconds(until) : null;

    public async ValueTask<TokenCheckResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        Uri endpoint;
        try
        {
            endpoint = await _endpoints.GetAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Logged by the resolver, once per fetch rather than once per waiting request.
            return TokenCheckResult.Unavailable("The authorization server's metadata could not be read.", ex);
        }

        // tokenauth.backend.call.duration, and an activity for the call when someone listens.
        var started = Stopwatch.GetTimestamp();
        using var activity = TokenAuthMetrics.ActivitySource.StartActivity("TokenAuth introspection", ActivityKind.Client);
        var result = await IntrospectAsync(endpoint, token, cancellationToken);
        var outcome = result.Status == TokenCheckStatus.Unavailable ? "failure" : "success";
        if (result.Status != TokenCheckStatus.Unavailable && Interlocked.Read(ref _pausedUntil) != 0)
        {
            // An answer: the circuit let a call through and it worked, so introspection is not paused any more.
            Interlocked.Exchange(ref _pausedUntil, 0);
        }

        _metrics?.BackendCall("introspection", outcome, Stopwatch.GetElapsedTime(started));
        if (activity is not null)
        {
            activity.SetTag("tokenauth.backend", "introspection");
            activity.SetTag("tokenauth.backend.outcome", outcome);
            activity.SetTag("server.address", endpoint.Host);
            if (outcome != "success")
            {
                activity.SetStatus(ActivityStatusCode.Error, result.Failure);
            }
        }

        if (result.Status == TokenCheckStatus.Unavailable)
        {
            Log.IntrospectionUnavailable(_logger, TokenHash.Compute(token).Prefix, endpoint.GetLeftPart(UriPartial.Path), result.Failure!, result.Exception);
        }

        return result;
    }

    private async ValueTask<TokenCheckResult> IntrospectAsync(Uri endpoint, string token, CancellationToken cancellationToken)
    {
        HttpRequestMessage request;
        try
        {
            request = _protocol.CreateRequest(endpoint, token, _options);
        }
        catch (Exception ex)
        {
            return TokenCheckResult.Unavailable("The introspection request could not be written.", ex);
        }

        // The pipeline's timeouts end when the headers arrive; the body is buffered after it, by HttpClient, whose own
        // time-out is off. An authority that sends its headers and then stalls mid-body would hold the request until it
        // closes the connection: the whole exchange, body included, is held to the introspection deadline here.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                // Buffered (ResponseContentRead) within the client's 64 KiB bound: a larger answer fails here, unread.
                response = await _clients.CreateClient(_clientName).SendAsync(request, deadline.Token);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (BrokenCircuitException ex)
            {
                Interlocked.Exchange(ref _pausedUntil, (_time.GetUtcNow() + _options.CircuitBreaker.BreakDuration).ToUnixTimeMilliseconds());
                return TokenCheckResult.Unavailable("The authorization server is failing; introspection is paused.", ex, _options.CircuitBreaker.BreakDuration);
            }
            catch (Exception ex) when (ex is TimeoutRejectedException or OperationCanceledException)
            {
                return TokenCheckResult.Unavailable("The authorization server did not answer in time.", ex);
            }
            catch (Exception ex)
            {
                // HttpRequestException (refused, reset, DNS, an answer over the size bound) or a handler's own fault.
                return TokenCheckResult.Unavailable("The authorization server could not be reached, or its answer was too large.", ex);
            }

            using (response)
            {
                try
                {
                    return await _protocol.ReadAsync(response, _time, cancellationToken)
                        ?? TokenCheckResult.Unavailable("The authorization server's answer could not be read.");
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    // An answer of a shape the mapping did not expect says nothing about the token: fail closed with 503.
                    return TokenCheckResult.Unavailable("The authorization server's answer has an unexpected shape.", ex);
                }
            }
        }
    }
}
