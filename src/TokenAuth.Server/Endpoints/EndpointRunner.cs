using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace TokenAuth.Server;

/// <summary>
/// What every token-server endpoint does around its own work: read the parameters per the profile, turn a store
/// fault into 503 with <c>Retry-After</c>, log a refusal and write it in the profile's error format.
/// </summary>
internal static class EndpointRunner
{
    /// <param name="context">The request.</param>
    /// <param name="endpoint">The endpoint's profile.</param>
    /// <param name="options">The server options.</param>
    /// <param name="now">The clock, for envelope timestamps.</param>
    /// <param name="logger">The endpoint's logger.</param>
    /// <param name="handle">Does the work and writes a success; answers the error otherwise.</param>
    /// <param name="errorFormat">The format of an error for a request (the token endpoint's depends on the grant).</param>
    public static async Task RunAsync(
        HttpContext context,
        ServerEndpoint endpoint,
        TokenServerOptions options,
        TimeProvider now,
        ILogger logger,
        Func<ProtocolRequest, Task<OAuthError?>> handle,
        Func<ProtocolRequest, TokenResponseFormat>? errorFormat = null)
    {
        var (request, error) = await ProtocolRequestReader.ReadAsync(context, endpoint, options.MaxRequestBodyLength);
        if (request is not null)
        {
            try
            {
                error = await handle(request);
            }
            catch (TokenStoreUnavailableException ex)
            {
                // Fail closed: a token that cannot be saved is not handed out, one that cannot be read is not judged.
                Log.StoreUnavailable(logger, endpoint.Profile.Name, LogRedaction.Redact(ex.InnerException!));
                error = OAuthError.Unavailable(options.RetryAfter);
            }
        }

        if (error is not null)
        {
            Log.RequestRefused(logger, endpoint.Profile.Name, error.Error, error.Description);
            var format = request is not null && errorFormat is not null ? errorFormat(request) : endpoint.Profile.Response;
            await ProfileResponseWriter.WriteErrorAsync(context, endpoint.Profile, format, error, now.GetUtcNow());
        }
    }
}
