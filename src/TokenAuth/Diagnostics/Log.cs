using Microsoft.Extensions.Logging;

namespace TokenAuth;

/// <summary>
/// Every log line TokenAuth writes. Token material never appears: a token is named by its hash prefix
/// (<see cref="TokenHash.Prefix"/>) when lines must be correlated. Ids start at 1000, clear of the base handler's.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Debug, "No access token in the request.", EventName = "TokenNotFound")]
    public static partial void TokenNotFound(ILogger logger);

    [LoggerMessage(1002, LogLevel.Information, "Access token {TokenHash} from {Source} was refused: {Reason}", EventName = "TokenRefused")]
    public static partial void TokenRefused(ILogger logger, string tokenHash, TokenSource source, string reason);

    [LoggerMessage(1003, LogLevel.Debug, "Access token {TokenHash} from {Source} was validated for subject {Subject}.", EventName = "TokenValidated")]
    public static partial void TokenValidated(ILogger logger, string tokenHash, TokenSource source, string? subject);

    [LoggerMessage(1004, LogLevel.Information, "Request refused: {Reason}", EventName = "InvalidRequest")]
    public static partial void InvalidRequest(ILogger logger, string reason);

    [LoggerMessage(1005, LogLevel.Warning, "The token could not be checked for {TokenHash}: {Reason}", EventName = "ValidatorUnavailable")]
    public static partial void ValidatorUnavailable(ILogger logger, string tokenHash, string reason, Exception? exception);

    [LoggerMessage(1006, LogLevel.Error, "The token store could not be reached looking up {TokenHash}.", EventName = "StoreUnavailable")]
    public static partial void StoreUnavailable(ILogger logger, string tokenHash, Exception exception);

    [LoggerMessage(1007, LogLevel.Error, "The authority's configuration could not be retrieved.", EventName = "ConfigurationUnavailable")]
    public static partial void ConfigurationUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(1008, LogLevel.Information, "A token was signed by an unknown key; refreshing the authority's keys.", EventName = "SigningKeysRefreshing")]
    public static partial void SigningKeysRefreshing(ILogger logger);

    [LoggerMessage(1009, LogLevel.Information, "Authorization failed: the token lacks one of the scopes {Scopes}.", EventName = "InsufficientScope")]
    public static partial void InsufficientScope(ILogger logger, string scopes);

    [LoggerMessage(1010, LogLevel.Error, "The token validator threw for {TokenHash}; answering 503.", EventName = "ValidatorFaulted")]
    public static partial void ValidatorFaulted(ILogger logger, string tokenHash, Exception exception);

    [LoggerMessage(1011, LogLevel.Warning, "Scheme {Scheme} accepts access tokens in the query string, and {Category} logs request URLs at Information: such tokens will be written to the logs. Raise that category to Warning, or set Sources.Query = false.", EventName = "QueryTokensReachHostingLogs")]
    public static partial void QueryTokensReachHostingLogs(ILogger logger, string scheme, string category);

    [LoggerMessage(1012, LogLevel.Warning, "The sudo form 'username:' is deprecated; use 'loginName:'.", EventName = "SudoUsernameDeprecated")]
    public static partial void SudoUsernameDeprecated(ILogger logger);

    [LoggerMessage(1013, LogLevel.Information, "Subject {Caller} is acting as user {Target} (tenant {Tenant}).", EventName = "Impersonating")]
    public static partial void Impersonating(ILogger logger, string? caller, string target, string? tenant);

    [LoggerMessage(1014, LogLevel.Error, "The sudo user store or tenant store failed; answering 503.", EventName = "ImpersonationStoreUnavailable")]
    public static partial void ImpersonationStoreUnavailable(ILogger logger, Exception exception);

    // 1020–1039: deadlines, circuits, the sudo/tenant cache and the key refresh.

    [LoggerMessage(1020, LogLevel.Warning, "The {Backend} did not answer within {Timeout}; answering 503.", EventName = "BackendTimedOut")]
    public static partial void BackendTimedOut(ILogger logger, string backend, TimeSpan timeout);

    [LoggerMessage(1021, LogLevel.Error, "The {Backend} keeps failing: considered down for {BreakDuration}, requests that need it are answered 503 without asking it.", EventName = "BackendCircuitOpened")]
    public static partial void BackendCircuitOpened(ILogger logger, string backend, TimeSpan breakDuration);

    [LoggerMessage(1022, LogLevel.Information, "The {Backend} answered again; the circuit is closed.", EventName = "BackendCircuitClosed")]
    public static partial void BackendCircuitClosed(ILogger logger, string backend);

    [LoggerMessage(1023, LogLevel.Debug, "The {Backend} is considered down; answering 503 without asking it (retry after {RetryAfter}).", EventName = "BackendCircuitOpen")]
    public static partial void BackendCircuitOpen(ILogger logger, string backend, TimeSpan retryAfter);

    [LoggerMessage(1024, LogLevel.Information, "The {Backend} was considered down; this request asks it again.", EventName = "BackendProbing")]
    public static partial void BackendProbing(ILogger logger, string backend);

    [LoggerMessage(1025, LogLevel.Debug, "A call to the {Backend} abandoned at its deadline failed later.", EventName = "AbandonedBackendCallFaulted")]
    public static partial void AbandonedBackendCallFaulted(ILogger logger, string backend, Exception exception);

    [LoggerMessage(1026, LogLevel.Information, "The authority's signing keys were refreshed: {KeyCount} key(s).", EventName = "SigningKeysRefreshed")]
    public static partial void SigningKeysRefreshed(ILogger logger, int keyCount);

    [LoggerMessage(1027, LogLevel.Warning, "Refreshing the authority's signing keys failed; tokens are checked against the keys already known.", EventName = "SigningKeysRefreshFailed")]
    public static partial void SigningKeysRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(1028, LogLevel.Debug, "The signing keys were refreshed less than {RefreshInterval} ago; the authority is not asked again yet.", EventName = "SigningKeysRefreshThrottled")]
    public static partial void SigningKeysRefreshThrottled(ILogger logger, TimeSpan refreshInterval);

    [LoggerMessage(1029, LogLevel.Warning, "The authority did not answer the key refresh within {Timeout}; the token is checked against the keys already known.", EventName = "SigningKeysRefreshTimedOut")]
    public static partial void SigningKeysRefreshTimedOut(ILogger logger, TimeSpan timeout);

    [LoggerMessage(1060, LogLevel.Error, "A revocation listener failed on a {Scope} message.", EventName = "RevocationListenerFailed")]
    public static partial void RevocationListenerFailed(ILogger logger, RevocationScope scope, Exception exception);

    [LoggerMessage(1061, LogLevel.Warning, "The revocation channel is back after an outage: this node forgets every cached validation, since it may have missed revocations.", EventName = "RevocationResync")]
    public static partial void RevocationResync(ILogger logger);

    [LoggerMessage(1062, LogLevel.Warning, "The revocation channel is lost ({Failure}); revocations made elsewhere reach this node when it is back.", EventName = "RevocationChannelLost")]
    public static partial void RevocationChannelLost(ILogger logger, string failure);

    // 1040–1059: introspection and the validation cache (1020–1039 are reserved).
    [LoggerMessage(1040, LogLevel.Warning, "Introspection of access token {TokenHash} at {Endpoint} failed: {Reason}", EventName = "IntrospectionUnavailable")]
    public static partial void IntrospectionUnavailable(ILogger logger, string tokenHash, string endpoint, string reason, Exception? exception);

    [LoggerMessage(1041, LogLevel.Information, "Introspection endpoint {Endpoint} discovered in {Document}.", EventName = "IntrospectionEndpointDiscovered")]
    public static partial void IntrospectionEndpointDiscovered(ILogger logger, string endpoint, string document);

    [LoggerMessage(1042, LogLevel.Error, "The introspection endpoint of {Authority} could not be discovered: {Reason}", EventName = "IntrospectionDiscoveryFailed")]
    public static partial void IntrospectionDiscoveryFailed(ILogger logger, string authority, string reason, Exception exception);

    [LoggerMessage(1043, LogLevel.Warning, "The token cache failed looking up {TokenHash}; validating without it.", EventName = "TokenCacheFaulted")]
    public static partial void TokenCacheFaulted(ILogger logger, string tokenHash, Exception exception);

    [LoggerMessage(1044, LogLevel.Warning, "The token cache could not shorten the entry of {TokenHash} to the token's expiry.", EventName = "TokenCacheWriteFailed")]
    public static partial void TokenCacheWriteFailed(ILogger logger, string tokenHash, Exception exception);

    [LoggerMessage(1045, LogLevel.Debug, "The distributed token cache did not finish {Operation} within {Timeout}; it counts as a miss.", EventName = "DistributedTokenCacheTimedOut")]
    public static partial void DistributedTokenCacheTimedOut(ILogger logger, string operation, TimeSpan timeout);
}
