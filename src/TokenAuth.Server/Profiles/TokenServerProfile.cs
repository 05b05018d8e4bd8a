namespace TokenAuth.Server;

/// <summary>
/// One endpoint of the token server, as data: its route and methods, where it reads parameters and client
/// credentials, what its parameters are called, which grants it serves, and how it spells its answers and
/// errors. The built-in profiles (<see cref="TokenServerProfiles"/>) cover RFC 6749/7009/7662 and the shapes
/// of the platforms TokenAuth is compatible with; a host describes its own legacy clients the same way.
/// </summary>
public sealed class TokenServerProfile
{
    /// <summary>A name for logs and the endpoint's route name, e.g. <c>rfc6749-token</c>.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>What the endpoint does.</summary>
    public TokenServerEndpointKind Kind { get; set; }

    /// <summary>The route, starting with <c>/</c>. Matched as ASP.NET Core routing matches (a trailing slash is optional).</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>The HTTP methods served. Default <c>POST</c>; an authorize endpoint needs <c>GET</c> and <c>POST</c>.</summary>
    public IList<string> Methods { get; set; } = ["POST"];

    /// <summary>Where parameters are read. Default a form body.</summary>
    public ParameterLocations Parameters { get; set; } = ParameterLocations.Form;

    /// <summary>How clients authenticate. Default HTTP Basic or the parameters, never both at once.</summary>
    public ClientAuthenticationMethods ClientAuthentication { get; set; } = ClientAuthenticationMethods.Basic | ClientAuthenticationMethods.Parameters;

    /// <summary>
    /// Whether the client id and secret inside an HTTP Basic header are form-urlencoded before being joined, as RFC 6749
    /// §2.3.1 requires (<c>+</c> is a space, <c>%2B</c> a plus). Default <see langword="true"/>. Spring Security OAuth2
    /// clients (seed 003) send them raw, so a secret with <c>+</c> or <c>%</c> would not match if decoded.
    /// </summary>
    public bool BasicCredentialsFormEncoded { get; set; } = true;

    /// <summary>
    /// Renamed parameters: canonical name (<see cref="OAuthParameters"/>) → the name on the wire, e.g.
    /// <c>client_secret</c> → <c>secret</c>. Parameters not listed keep their canonical name; names not known are ignored
    /// (RFC 6749 §3.2).
    /// </summary>
    public IDictionary<string, string> ParameterNames { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The grant types this endpoint serves; empty (the default) serves every grant the server supports.</summary>
    public IList<string> GrantTypes { get; set; } = [];

    /// <summary>The grant type of a request that names none (seed 004 has no <c>grant_type</c>); <see langword="null"/> requires one.</summary>
    public string? DefaultGrantType { get; set; }

    /// <summary>The accepted values of <c>user_type</c> (seed 004: <c>2</c>); empty accepts none, so the parameter must be absent.</summary>
    public IList<string> UserTypes { get; set; } = [];

    /// <summary>The lifetime of access tokens issued here, unless the client sets its own; the server's default when <see langword="null"/>.</summary>
    public TimeSpan? AccessTokenLifetime { get; set; }

    /// <summary>How answers and errors are spelled.</summary>
    public TokenResponseFormat Response { get; set; } = new();

    /// <summary>Another answer format for some grant types (seed 003 answers the code exchange without its envelope).</summary>
    public IDictionary<string, TokenResponseFormat> ResponseByGrantType { get; set; } = new Dictionary<string, TokenResponseFormat>(StringComparer.Ordinal);

    /// <summary>The wire name of a canonical parameter.</summary>
    internal string WireName(string canonical) => ParameterNames.TryGetValue(canonical, out var name) ? name : canonical;

    /// <summary>The format of an answer to <paramref name="grantType"/>.</summary>
    internal TokenResponseFormat ResponseFor(string? grantType)
        => grantType is not null && ResponseByGrantType.TryGetValue(grantType, out var format) ? format : Response;
}
