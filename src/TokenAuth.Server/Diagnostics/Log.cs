using Microsoft.Extensions.Logging;

namespace TokenAuth.Server;

/// <summary>Log lines of the token server. Tokens are named by hash prefix; secrets never appear.</summary>
internal static partial class Log
{
    [LoggerMessage(2001, LogLevel.Information, "Issued access token {TokenHash} to client {ClientId} with scopes '{Scopes}'.", EventName = "TokenIssued")]
    public static partial void TokenIssued(ILogger logger, string clientId, string tokenHash, string scopes);

    [LoggerMessage(2002, LogLevel.Information, "Token request refused: {Error}: {Description}", EventName = "TokenRequestRefused")]
    public static partial void TokenRequestRefused(ILogger logger, string error, string description);

    [LoggerMessage(2003, LogLevel.Error, "The token store could not save a token for client {ClientId}.", EventName = "TokenStoreUnavailable")]
    public static partial void TokenStoreUnavailable(ILogger logger, string clientId, Exception exception);
}
