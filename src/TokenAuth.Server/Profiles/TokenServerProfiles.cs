namespace TokenAuth.Server;

/// <summary>
/// The built-in profiles. Each call returns a new instance, so a host may change it before adding it to
/// <see cref="TokenServerOptions.Profiles"/>.
/// </summary>
public static class TokenServerProfiles
{
    /// <summary>The RFC 6749 token endpoint: POST, form body, HTTP Basic or <c>client_id</c>/<c>client_secret</c>, snake_case JSON.</summary>
    /// <param name="path">The route.</param>
    /// <param name="name">The profile's name, unique among the server's profiles.</param>
    public static TokenServerProfile Token(string path = "/oauth/token", string name = "rfc6749-token") => new()
    {
        Name = name,
        Kind = TokenServerEndpointKind.Token,
        Path = path,
    };

    /// <summary>The RFC 6749 authorization endpoint: <c>GET</c> shows the login and consent pages, their forms <c>POST</c> back.</summary>
    /// <param name="path">The route.</param>
    /// <param name="name">The profile's name, unique among the server's profiles.</param>
    public static TokenServerProfile Authorize(string path = "/oauth/authorize", string name = "rfc6749-authorize") => new()
    {
        Name = name,
        Kind = TokenServerEndpointKind.Authorize,
        Path = path,
        Methods = ["GET", "POST"],
        Parameters = ParameterLocations.Query,
        ClientAuthentication = ClientAuthenticationMethods.None,
    };

    /// <summary>RFC 7009 revocation: POST, form body, client authentication; 200 with an empty body.</summary>
    /// <param name="path">The route.</param>
    /// <param name="name">The profile's name, unique among the server's profiles.</param>
    public static TokenServerProfile Revoke(string path = "/oauth/revoke", string name = "rfc7009-revoke") => new()
    {
        Name = name,
        Kind = TokenServerEndpointKind.Revoke,
        Path = path,
    };

    /// <summary>RFC 7662 introspection: POST, form body, client authentication.</summary>
    /// <param name="path">The route.</param>
    /// <param name="name">The profile's name, unique among the server's profiles.</param>
    public static TokenServerProfile Introspect(string path = "/oauth/introspect", string name = "rfc7662-introspect") => new()
    {
        Name = name,
        Kind = TokenServerEndpointKind.Introspect,
        Path = path,
    };

    /// <summary>
    /// A token endpoint answering <c>GET ?grant_type=client_credentials&amp;client_id=…&amp;client_secret=…</c> (seed 001):
    /// <c>token_type</c> <c>bearer</c>, <c>expires_in</c> a string, 12-hour tokens.
    /// </summary>
    /// <param name="path">The route.</param>
    /// <param name="name">The profile's name, unique among the server's profiles.</param>
    public static TokenServerProfile QueryStringToken(string path, string name = "query-token") => new()
    {
        Name = name,
        Kind = TokenServerEndpointKind.Token,
        Path = path,
        Methods = ["GET"],
        Parameters = ParameterLocations.Query,
        ClientAuthentication = ClientAuthenticationMethods.Parameters,
        GrantTypes = [Server.GrantTypes.ClientCredentials],
        AccessTokenLifetime = TimeSpan.FromHours(12),
        Response = QueryStringFormat(),
    };

    /// <summary>
    /// <c>GET ?token=…</c> (seed 001's check): the token's <c>access_token</c>, <c>token_type</c>, remaining
    /// <c>expires_in</c> and <c>scope</c>. The token is its own credential.
    /// </summary>
    /// <param name="path">The route.</param>
    /// <param name="name">The profile's name, unique among the server's profiles.</param>
    public static TokenServerProfile QueryStringCheck(string path, string name = "query-check") => new()
    {
        Name = name,
        Kind = TokenServerEndpointKind.Check,
        Path = path,
        Methods = ["GET"],
        Parameters = ParameterLocations.Query,
        ClientAuthentication = ClientAuthenticationMethods.None,
        Response = QueryStringFormat(),
    };

    /// <summary>
    /// <c>GET ?token=…</c> (seed 001's revoke): answers <c>{"code":0,"msg":"success"}</c>, an error
    /// <c>{"code":400,"msg":"…","error":"invalid_request"}</c>. The token is its own credential.
    /// </summary>
    /// <param name="path">The route.</param>
    /// <param name="name">The profile's name, unique among the server's profiles.</param>
    public static TokenServerProfile QueryStringRevoke(string path, string name = "query-revoke") => new()
    {
        Name = name,
        Kind = TokenServerEndpointKind.Revoke,
        Path = path,
        Methods = ["GET"],
        Parameters = ParameterLocations.Query,
        ClientAuthentication = ClientAuthenticationMethods.None,
        Response = new TokenResponseFormat
        {
            Envelope = new ResponseEnvelope { CodeMember = "code", SuccessCode = 0, MessageMember = "msg", SuccessMessage = "success", Data = EnvelopeData.None, ErrorMember = "error" },
        },
    };

    /// <summary>
    /// A token endpoint taking a JSON body with camelCase members — <c>clientId</c>, <c>clientSecret</c>, <c>grantType</c>,
    /// <c>userId</c>, <c>refreshToken</c> — and answering camelCase (seed 002).
    /// </summary>
    /// <param name="path">The route.</param>
    /// <param name="name">The profile's name, unique among the server's profiles.</param>
    public static TokenServerProfile CamelCaseJsonToken(string path, string name = "camelcase-json-token") => new()
    {
        Name = name,
        Kind = TokenServerEndpointKind.Token,
        Path = path,
        Parameters = ParameterLocations.Json,
        ClientAuthentication = ClientAuthenticationMethods.Parameters,
        ParameterNames = CamelCaseNames(),
        GrantTypes = [Server.GrantTypes.ClientCredentials, Server.GrantTypes.RefreshToken],
        Response = new TokenResponseFormat { Naming = MemberNaming.CamelCase, TokenType = "bearer", ExpiresInAsString = true },
    };

    /// <summary>
    /// A Spring-style UAA token endpoint (seed 003): parameters in the query string (or a form), HTTP Basic client
    /// authentication of <c>base64(id:secret)</c> as Spring sends it (not form-urlencoded), answers in a <c>{"resp_code":200,"resp_msg":"ok","datas":{…}}</c> envelope — except the code
    /// exchange, which answers plain RFC 6749 JSON. Tokens live 3599 seconds.
    /// </summary>
    /// <param name="path">The route.</param>
    /// <param name="name">The profile's name, unique among the server's profiles.</param>
    public static TokenServerProfile ResultEnvelopeToken(string path, string name = "result-envelope-token") => new()
    {
        Name = name,
        Kind = TokenServerEndpointKind.Token,
        Path = path,
        Parameters = ParameterLocations.Query | ParameterLocations.Form,
        ClientAuthentication = ClientAuthenticationMethods.Basic,
        BasicCredentialsFormEncoded = false,
        AccessTokenLifetime = TimeSpan.FromSeconds(3599),
        Response = new TokenResponseFormat
        {
            TokenType = "bearer",
            Envelope = new ResponseEnvelope
            {
                CodeMember = "resp_code",
                SuccessCode = 200,
                MessageMember = "resp_msg",
                SuccessMessage = "ok",
                DataMember = "datas",
                ErrorMember = "error",
            },
        },
        ResponseByGrantType = new Dictionary<string, TokenResponseFormat>(StringComparer.Ordinal)
        {
            [Server.GrantTypes.AuthorizationCode] = new TokenResponseFormat { TokenType = "bearer" },
        },
    };

    /// <summary>
    /// A credential endpoint (seed 004): <c>POST ?clientId=…&amp;secret=…&amp;userType=2</c> (query or form, not JSON), answering
    /// <c>{"code":200,"message":"success","trackId":…,"data":"&lt;token&gt;","extr":null,"timestamp":…,"_status":"SUCCESS","ok":true}</c>.
    /// Tokens live two hours; send them in the <c>Access-Token</c> header.
    /// </summary>
    /// <param name="path">The route.</param>
    /// <param name="name">The profile's name, unique among the server's profiles.</param>
    public static TokenServerProfile CodeMessageEnvelopeToken(string path, string name = "code-message-envelope-token") => new()
    {
        Name = name,
        Kind = TokenServerEndpointKind.Token,
        Path = path,
        Parameters = ParameterLocations.Query | ParameterLocations.Form,
        ClientAuthentication = ClientAuthenticationMethods.Parameters,
        ParameterNames = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [OAuthParameters.ClientId] = "clientId",
            [OAuthParameters.ClientSecret] = "secret",
            [OAuthParameters.UserType] = "userType",
            [OAuthParameters.GrantType] = "grantType",
        },
        GrantTypes = [Server.GrantTypes.ClientCredentials],
        DefaultGrantType = Server.GrantTypes.ClientCredentials,
        UserTypes = ["2"],
        AccessTokenLifetime = TimeSpan.FromHours(2),
        Response = new TokenResponseFormat
        {
            Naming = MemberNaming.CamelCase,
            Envelope = new ResponseEnvelope
            {
                CodeMember = "code",
                SuccessCode = 200,
                MessageMember = "message",
                SuccessMessage = "success",
                DataMember = "data",
                Data = EnvelopeData.AccessToken,
                TrackIdMember = "trackId",
                NullMembers = ["extr"],
                TimestampMember = "timestamp",
                StatusMember = "_status",
                SuccessFlagMember = "ok",
                ErrorMember = "error",
            },
        },
    };

    private static TokenResponseFormat QueryStringFormat() => new() { TokenType = "bearer", ExpiresInAsString = true };

    private static Dictionary<string, string> CamelCaseNames() => new(StringComparer.Ordinal)
    {
        [OAuthParameters.GrantType] = "grantType",
        [OAuthParameters.ClientId] = "clientId",
        [OAuthParameters.ClientSecret] = "clientSecret",
        [OAuthParameters.RefreshToken] = "refreshToken",
        [OAuthParameters.UserId] = "userId",
        [OAuthParameters.RedirectUri] = "redirectUri",
        [OAuthParameters.CodeVerifier] = "codeVerifier",
        [OAuthParameters.UserType] = "userType",
        [OAuthParameters.AccountType] = "accountType",
        [OAuthParameters.TokenTypeHint] = "tokenTypeHint",
    };
}
