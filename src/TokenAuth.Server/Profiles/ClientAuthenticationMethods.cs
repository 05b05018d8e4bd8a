namespace TokenAuth.Server;

/// <summary>How a profile's callers authenticate as a client (RFC 6749 §2.3). A client that uses two methods at once is refused.</summary>
[Flags]
public enum ClientAuthenticationMethods
{
    /// <summary>
    /// No client authentication: the token in the request is its own credential (seed 001's check and revoke).
    /// Only allowed for <see cref="TokenServerEndpointKind.Check"/> and <see cref="TokenServerEndpointKind.Revoke"/>.
    /// </summary>
    None = 0,

    /// <summary><c>Authorization: Basic base64(urlencode(id) ":" urlencode(secret))</c> (RFC 6749 §2.3.1).</summary>
    Basic = 1,

    /// <summary>The client id and secret among the request parameters, wherever the profile reads them.</summary>
    Parameters = 2,
}
