namespace TokenAuth.Server;

/// <summary>
/// A token, grant, client or user store could not be read or written (Redis down, a store of the host's that threw).
/// The server's endpoints answer 503 with <c>Retry-After</c> — they fail closed —; a host calling
/// <see cref="ITokenIssuer"/> should do the same. The store's own exception is the <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class TokenStoreUnavailableException : Exception
{
    /// <summary>Creates the exception for a store's fault.</summary>
    /// <param name="innerException">What the store threw.</param>
    public TokenStoreUnavailableException(Exception innerException)
        : base("A token, grant, client or user store is unavailable.", innerException)
    {
    }

    /// <summary>Creates the exception with a message of the caller's.</summary>
    /// <param name="message">What was unavailable.</param>
    /// <param name="innerException">What the store threw.</param>
    public TokenStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the default message.</summary>
    public TokenStoreUnavailableException()
        : base("A token, grant, client or user store is unavailable.")
    {
    }

    /// <summary>Creates the exception with a message of the caller's.</summary>
    /// <param name="message">What was unavailable.</param>
    public TokenStoreUnavailableException(string message)
        : base(message)
    {
    }
}
