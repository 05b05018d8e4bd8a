namespace TokenAuth;

/// <summary>How the resource server authenticates to the introspection endpoint (RFC 6749 §2.3.1).</summary>
public enum IntrospectionClientAuthentication
{
    /// <summary>
    /// <c>Authorization: Basic base64(urlencode(client_id) ":" urlencode(client_secret))</c>
    /// (<c>client_secret_basic</c>); the default, and what every server must support.
    /// </summary>
    Basic,

    /// <summary><c>client_id</c> and <c>client_secret</c> in the form body (<c>client_secret_post</c>).</summary>
    Body,
}
