namespace TokenAuth;

/// <summary>Where in a request a token was found.</summary>
public enum TokenSource
{
    /// <summary>Set by the <c>MessageReceived</c> event.</summary>
    Event,

    /// <summary><c>Authorization: Bearer &lt;token&gt;</c> (RFC 6750 §2.1).</summary>
    AuthorizationHeader,

    /// <summary>A custom header: <c>Access-Token</c> or <c>access_token</c>.</summary>
    Header,

    /// <summary>The <c>access_token</c> query parameter (RFC 6750 §2.3).</summary>
    Query,

    /// <summary>The <c>access_token</c> field of a form-urlencoded body (RFC 6750 §2.2).</summary>
    Form,
}
