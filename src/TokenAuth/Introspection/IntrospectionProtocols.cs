namespace TokenAuth;

/// <summary>The built-in introspection protocols, and a factory for a vendor's own.</summary>
public static class IntrospectionProtocols
{
    /// <summary>
    /// RFC 7662: <c>POST</c> a form with <c>token</c> (and <c>token_type_hint</c>), client authentication by Basic header
    /// or body; a 200 JSON object whose <c>active</c> says the verdict, and whose <c>exp</c>, <c>nbf</c>, <c>iat</c>,
    /// <c>scope</c>, <c>client_id</c>, <c>sub</c>, <c>username</c>, <c>aud</c>, <c>iss</c>, <c>tenant_id</c> and other members
    /// fill the <see cref="TokenInfo"/>. JWT answers (<c>application/token-introspection+jwt</c>, RFC 9701) are not supported.
    /// </summary>
    public static IIntrospectionProtocol Rfc7662 { get; } = new Rfc7662IntrospectionProtocol();

    /// <summary>
    /// Seed 001's check: <c>GET {endpoint}?token=…</c>; 200 with <c>scope</c> and <c>expires_in</c> (seconds, a string or
    /// a number) is active until now + <c>expires_in</c>; 400 or 401 with <c>invalid_token</c> is inactive; anything else is
    /// unavailable. The token is its own credential; a configured client is sent as a Basic header.
    /// </summary>
    public static IIntrospectionProtocol TokenCheck { get; } = new TokenCheckIntrospectionProtocol();

    /// <summary>
    /// A vendor's protocol from two delegates. <paramref name="readResponse"/> may assume the shape it expects: whatever it
    /// throws (a missing member, a wrong type) makes the answer unavailable (503), never a 401 or a 500.
    /// </summary>
    /// <param name="createRequest">Writes the request for the endpoint, the token and the options.</param>
    /// <param name="readResponse">Reads the answer: valid with a <see cref="TokenInfo"/>, invalid, or unavailable.</param>
    /// <returns>The protocol, for <see cref="IntrospectionOptions.Protocol"/>.</returns>
    public static IIntrospectionProtocol Create(
        Func<Uri, string, IntrospectionOptions, HttpRequestMessage> createRequest,
        Func<IntrospectionResponse, TokenCheckResult> readResponse)
    {
        ArgumentNullException.ThrowIfNull(createRequest);
        ArgumentNullException.ThrowIfNull(readResponse);
        return new DelegateIntrospectionProtocol(createRequest, readResponse);
    }

    /// <summary>The built-in named <paramref name="name"/> in configuration (<c>Rfc7662</c>, <c>TokenCheck</c>), or <see langword="null"/>.</summary>
    internal static IIntrospectionProtocol? FromName(string name) => name.Trim().ToUpperInvariant() switch
    {
        "RFC7662" or "RFC 7662" => Rfc7662,
        "TOKENCHECK" or "CHECK" => TokenCheck,
        _ => null,
    };
}
