namespace TokenAuth.Sample;

/// <summary>
/// The sample's RFC 8414 authorization server metadata: its issuer and the endpoints <c>MapTokenAuthServer</c> maps, so that a
/// resource server configured with <c>Introspection:Authority</c> alone finds the introspection endpoint.
/// </summary>
public static class AuthorizationServerMetadata
{
    private static readonly string[] GrantTypes = ["client_credentials", "refresh_token", "authorization_code", "password", "implicit"];
    private static readonly string[] ResponseTypes = ["code", "token"];
    private static readonly string[] CodeChallengeMethods = ["S256"];
    private static readonly string[] ClientAuthenticationMethods = ["client_secret_basic", "client_secret_post"];

    /// <summary>The document for <paramref name="issuer"/> (no trailing slash), in RFC 8414 §2's member names.</summary>
    public static Dictionary<string, object> For(string issuer) => new()
    {
        ["issuer"] = issuer,
        ["token_endpoint"] = issuer + "/oauth/token",
        ["authorization_endpoint"] = issuer + "/oauth/authorize",
        ["revocation_endpoint"] = issuer + "/oauth/revoke",
        ["introspection_endpoint"] = issuer + "/oauth/introspect",
        ["grant_types_supported"] = GrantTypes,
        ["response_types_supported"] = ResponseTypes,
        ["code_challenge_methods_supported"] = CodeChallengeMethods,
        ["token_endpoint_auth_methods_supported"] = ClientAuthenticationMethods,
        ["revocation_endpoint_auth_methods_supported"] = ClientAuthenticationMethods,
        ["introspection_endpoint_auth_methods_supported"] = ClientAuthenticationMethods,
    };
}
