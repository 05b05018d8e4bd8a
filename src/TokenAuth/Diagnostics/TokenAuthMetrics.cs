using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Authentication;

namespace TokenAuth;

/// <summary>
/// TokenAuth's instruments, on a <see cref="Meter"/> named <c>TokenAuth</c> created through <see cref="IMeterFactory"/>
/// (so each host — and each test — has its own), and the <see cref="ActivitySource"/> of backend calls. Names and tags
/// follow the OpenTelemetry conventions: dotted lower-case names, a unit per instrument, durations in seconds.
/// </summary>
internal sealed class TokenAuthMetrics
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "TokenAuth";

    /// <summary>The activity source of backend calls (introspection, store and user-store lookups, key refreshes).</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _authentications;
    private readonly Histogram<double> _authenticationDuration;
    private readonly Counter<long> _cacheLookups;
    private readonly Histogram<double> _backendDuration;
    private readonly Counter<long> _impersonations;
    private readonly Counter<long> _revocations;

    public TokenAuthMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        _authentications = meter.CreateCounter<long>("tokenauth.authentication.count", "{authentication}", "Requests TokenAuth authenticated, by result and token source.");
        _authenticationDuration = meter.CreateHistogram<double>("tokenauth.authentication.duration", "s", "Time TokenAuth spent authenticating a request.");
        _cacheLookups = meter.CreateCounter<long>("tokenauth.cache.lookup.count", "{lookup}", "Token-cache lookups, by cache kind and the level that answered (l1, l2, miss).");
        _backendDuration = meter.CreateHistogram<double>("tokenauth.backend.call.duration", "s", "Calls to a backend (store, introspection, user or tenant store, signing keys), by backend and outcome.");
        _impersonations = meter.CreateCounter<long>("tokenauth.impersonation.count", "{request}", "Requests that used sudo or named a tenant, by kind and result.");
        _revocations = meter.CreateCounter<long>("tokenauth.revocation.count", "{revocation}", "Revocation messages published, by scope.");
    }

    public void Authenticated(AuthenticateResult result, TokenSource? source, TimeSpan elapsed)
    {
        var outcome = new KeyValuePair<string, object?>("tokenauth.result", Outcome(result));
        var from = new KeyValuePair<string, object?>("tokenauth.token.source", source is { } s ? SourceName(s) : "none");
        _authentications.Add(1, outcome, from);
        _authenticationDuration.Record(elapsed.TotalSeconds, outcome, from);
    }

    /// <summary>Whether anyone listens to the cache-level counter (telling L1 from L2 costs a little, so only then).</summary>
    public bool CacheLookupsEnabled => _cacheLookups.Enabled;

    public void CacheLookup(string kind, string level)
        => _cacheLookups.Add(1, new KeyValuePair<string, object?>("tokenauth.cache.kind", kind), new KeyValuePair<string, object?>("tokenauth.cache.level", level));

    public void BackendCall(string backend, string outcome, TimeSpan elapsed)
        => _backendDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("tokenauth.backend", backend), new KeyValuePair<string, object?>("tokenauth.backend.outcome", outcome));

    public void Impersonation(string kind, string result)
        => _impersonations.Add(1, new KeyValuePair<string, object?>("tokenauth.impersonation.kind", kind), new KeyValuePair<string, object?>("tokenauth.result", result));

    public void Revocation(RevocationScope scope)
        => _revocations.Add(1, new KeyValuePair<string, object?>("tokenauth.revocation.scope", ScopeName(scope)));

    private static string Outcome(AuthenticateResult result)
    {
        if (result.Succeeded)
        {
            return "success";
        }

        if (result.None)
        {
            return "none";
        }

        return result.Failure is TokenAuthException failure
            ? failure.StatusCode switch
            {
                503 => "unavailable",
                400 => "invalid_request",
                401 => "invalid_token",
                _ => "denied",
            }
            : "failure";
    }

    private static string SourceName(TokenSource source) => source switch
    {
        TokenSource.AuthorizationHeader => "authorization_header",
        TokenSource.Header => "header",
        TokenSource.Query => "query",
        TokenSource.Form => "form",
        _ => "event",
    };

    private static string ScopeName(RevocationScope scope) => scope switch
    {
        RevocationScope.Token => "token",
        RevocationScope.Tenant => "tenant",
        RevocationScope.User => "user",
        _ => "everything",
    };
}
