using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Server;

/// <summary>The token server does not start misconfigured, and the message names what is wrong.</summary>
public sealed class TokenServerOptionsTests
{
    private static TokenClient Confidential(string id = "c") => new() { ClientId = id, ClientSecretHashes = [ClientSecretHasher.HashGenerated(ClientSecretHasher.GenerateSecret())] };

    public static TheoryData<string, Action<TokenServerOptions>> Misconfigurations() => new()
    {
        { "AccessTokenLifetime", o => o.AccessTokenLifetime = TimeSpan.Zero },
        { "RefreshTokenLifetime", o => o.RefreshTokenLifetime = TimeSpan.FromSeconds(-1) },
        { "LoginLifetime", o => o.LoginLifetime = TimeSpan.Zero },
        { "RetryAfter", o => o.RetryAfter = TimeSpan.Zero },
        { "AuthorizationCodeLifetime", o => o.AuthorizationCodeLifetime = TimeSpan.FromMinutes(11) },
        { "MaxRequestBodyLength", o => o.MaxRequestBodyLength = 100 },
        { "Issuer", o => o.SigningCredentials = new(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(new byte[32]), "HS256") },
        { "FailedAuthentication.MinimumDuration", o => o.FailedAuthentication.MinimumDuration = TimeSpan.FromSeconds(11) },
        { "FailedAuthentication.PermitLimit", o => o.FailedAuthentication.PermitLimit = 0 },
        { "AddressPermitLimit", o => o.FailedAuthentication.AddressPermitLimit = 5 },
        { "FailedAuthentication.Window", o => o.FailedAuthentication.Window = TimeSpan.FromMilliseconds(10) },
        { "Profiles['rfc6749-token'].Path", o => o.Profiles[0].Path = "oauth/token" },
        { "Profiles['/x'].Name", o => o.Profiles.Add(new TokenServerProfile { Path = "/x" }) },
        { "two profiles are named 'rfc6749-token'", o => o.Profiles.Add(TokenServerProfiles.Token("/other")) },
        { "POST /oauth/token/ is mapped by two profiles", o => o.Profiles.Add(TokenServerProfiles.Token("/oauth/token/", "again")) },
        { "Methods must list GET and/or POST", o => o.Profiles[0].Methods = ["PUT"] },
        { "Methods must list GET and/or POST", o => o.Profiles[0].Methods = [] },
        { "a GET endpoint reads its parameters from the query string", o => o.Profiles[0].Methods = ["GET"] },
        { "Parameters must name where parameters are read", o => o.Profiles[0].Parameters = ParameterLocations.None },
        { "an authorize endpoint serves GET", o => o.Profiles[1].Methods = ["GET"] },
        { "only check and revoke endpoints may go without client authentication", o => o.Profiles[0].ClientAuthentication = ClientAuthenticationMethods.None },
        { "'client_id' names two parameters", o => o.Profiles[0].ParameterNames["client_secret"] = "client_id" },
        { "ParameterNames: '' names two parameters or is empty", o => o.Profiles[0].ParameterNames["client_secret"] = "" },
        { "'implicit' is not a grant type of the token endpoint", o => o.Profiles[0].GrantTypes = [GrantTypes.Implicit] },
        { "'device_code' is not a grant type", o => o.Profiles[0].GrantTypes = ["device_code"] },
        { "DefaultGrantType must be one of its GrantTypes", o => { o.Profiles[0].GrantTypes = [GrantTypes.Password]; o.Profiles[0].DefaultGrantType = GrantTypes.ClientCredentials; } },
        { "AccessTokenLifetime must be positive", o => o.Profiles[0].AccessTokenLifetime = TimeSpan.Zero },
        { "TokenType is required", o => o.Profiles[0].Response.TokenType = " " },
        { "its members must be named, each differently", o => o.Profiles[0].Response.Envelope = new ResponseEnvelope { MessageMember = "code" } },
        { "its members must be named, each differently", o => o.Profiles[0].Response.Envelope = new ResponseEnvelope { NullMembers = ["data"] } },
        { "client id 'c' is configured more than once", o => { o.Clients.Add(Confidential()); o.Clients.Add(Confidential()); } },
        { "a client has no ClientId", o => o.Clients.Add(Confidential(" ")) },
        { "client 'c' has no ClientSecretHashes", o => o.Clients.Add(new TokenClient { ClientId = "c" }) },
        { "client 'p' is public and must have no secret", o => o.Clients.Add(new TokenClient { ClientId = "p", IsPublic = true, ClientSecret = "s" }) },
        { "client 'p' is public and cannot use the client_credentials grant", o => o.Clients.Add(new TokenClient { ClientId = "p", IsPublic = true, AllowedGrantTypes = [GrantTypes.ClientCredentials] }) },
        { "client 'p' is public and cannot use the password grant", o => o.Clients.Add(new TokenClient { ClientId = "p", IsPublic = true, AllowedGrantTypes = [GrantTypes.Password] }) },
        { "'magic' is not a grant type", o => { var c = Confidential(); c.AllowedGrantTypes = ["magic"]; o.Clients.Add(c); } },
        { "redirect URI 'https://app/cb#x' must be absolute and have no fragment", o => { var c = Confidential(); c.RedirectUris = ["https://app/cb#x"]; o.Clients.Add(c); } },
        { "redirect URI '/cb' must be absolute", o => { var c = Confidential(); c.RedirectUris = ["/cb"]; o.Clients.Add(c); } },
        { "redirect URI 'file:///etc/passwd' must be absolute", o => { var c = Confidential(); c.RedirectUris = ["file:///etc/passwd"]; o.Clients.Add(c); } },
        { "AccessTokenLifetime must be positive", o => { var c = Confidential(); c.AccessTokenLifetime = TimeSpan.Zero; o.Clients.Add(c); } },
        { "is not a SHA256$", o => o.Clients.Add(new TokenClient { ClientId = "c", ClientSecretHashes = ["plaintext"] }) },

        // Each bound just past the good boundary of BoundaryValues, and the rules of the hardening audit.
        { "AccessTokenLifetime must be positive", o => o.AccessTokenLifetime = TimeSpan.FromTicks(-1) },
        { "RefreshTokenLifetime must be positive", o => o.RefreshTokenLifetime = TimeSpan.Zero },
        { "LoginLifetime must be positive", o => o.LoginLifetime = TimeSpan.FromTicks(-1) },
        { "RetryAfter must be positive", o => o.RetryAfter = TimeSpan.FromSeconds(-5) },
        { "AuthorizationCodeLifetime must be positive and at most 10 minutes", o => o.AuthorizationCodeLifetime = TimeSpan.Zero },
        { "AuthorizationCodeLifetime must be positive and at most 10 minutes", o => o.AuthorizationCodeLifetime = TimeSpan.FromMinutes(10) + TimeSpan.FromTicks(1) },
        { "MaxRequestBodyLength must be between 256 and 1048576", o => o.MaxRequestBodyLength = 255 },
        { "MaxRequestBodyLength must be between 256 and 1048576", o => o.MaxRequestBodyLength = 1024 * 1024 + 1 },
        { "RefreshTokenLifetime (00:59:59) must be at least AccessTokenLifetime (01:00:00)", o => o.RefreshTokenLifetime = TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1) },
        { "Profiles, Clients and FailedAuthentication must not be null", o => o.Profiles = null! },
        { "Profiles, Clients and FailedAuthentication must not be null", o => o.Clients = null! },
        { "Profiles, Clients and FailedAuthentication must not be null", o => o.FailedAuthentication = null! },
        { "SigningCredentials is set, so Issuer and Audience must be set too", o => Signing(o, audience: " ") },
        { "SigningCredentials is set, so Issuer and Audience must be set too", o => Signing(o, issuer: "") },
        { "SigningCredentials has a symmetric key shorter than 256 bits", o => Signing(o, keyBytes: 31) },
        { "FailedAuthentication.MinimumDuration must be between 0 and 10 seconds", o => o.FailedAuthentication.MinimumDuration = TimeSpan.FromTicks(-1) },
        { "FailedAuthentication.PermitLimit must be at least 1 and AddressPermitLimit at least PermitLimit", o => { o.FailedAuthentication.PermitLimit = 2; o.FailedAuthentication.AddressPermitLimit = 1; } },
        { "FailedAuthentication.Window must be at least one second", o => o.FailedAuthentication.Window = TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1) },
        { "Profiles['rfc6749-token'].Path must start with '/'", o => o.Profiles[0].Path = "" },
        { "Methods must list GET and/or POST (upper case)", o => o.Profiles[0].Methods = ["post"] },
        { "Profiles['rfc6749-token'].ResponseByGrantType: 'magic' is not a grant type this endpoint serves", o => o.Profiles[0].ResponseByGrantType["magic"] = new TokenResponseFormat() },
        { "Profiles['rfc6749-token'].ResponseByGrantType: 'password' is not a grant type this endpoint serves", o => { o.Profiles[0].GrantTypes = [GrantTypes.ClientCredentials]; o.Profiles[0].ResponseByGrantType[GrantTypes.Password] = new TokenResponseFormat(); } },
        { "Profiles['rfc6749-token'].Response.TokenType is required", o => o.Profiles[0].ResponseByGrantType[GrantTypes.Password] = new TokenResponseFormat { TokenType = "" } },
        { "client 'p' is public and lists no AllowedGrantTypes", o => o.Clients.Add(new TokenClient { ClientId = "p", IsPublic = true }) },
        { "client 'c' may use the authorization_code grant and so needs RedirectUris", o => { var c = Confidential(); c.AllowedGrantTypes = [GrantTypes.AuthorizationCode]; o.Clients.Add(c); } },
        { "client 'p' may use the implicit grant and so needs RedirectUris", o => o.Clients.Add(new TokenClient { ClientId = "p", IsPublic = true, AllowedGrantTypes = [GrantTypes.Implicit] }) },
        { "client 'c': allowed scope 'read write' is not one scope token", o => { var c = Confidential(); c.AllowedScopes = ["read write"]; o.Clients.Add(c); } },
        { "client 'c': allowed scope '' is not one scope token", o => { var c = Confidential(); c.AllowedScopes = [""]; o.Clients.Add(c); } },
        { "client 'c': allowed scope 'a\\b' is not one scope token", o => { var c = Confidential(); c.AllowedScopes = ["a\\b"]; o.Clients.Add(c); } },
        { "client 'c': allowed scope 'caf\u00e9' is not one scope token", o => { var c = Confidential(); c.AllowedScopes = ["caf\u00e9"]; o.Clients.Add(c); } },
        { "client 'c' has no ClientSecretHashes", o => o.Clients.Add(new TokenClient { ClientId = "c", ClientSecret = "" }) },
        { "client id 'C' is configured more than once", o => { o.Clients.Add(Confidential("C")); o.Clients.Add(Confidential("C")); } },
    };

    /// <summary>Each rule's boundary on its good side: the options are valid with it.</summary>
    public static TheoryData<string, Action<TokenServerOptions>> BoundaryValues() => new()
    {
        { "lifetimes of one tick", o => { o.AccessTokenLifetime = TimeSpan.FromTicks(1); o.RefreshTokenLifetime = TimeSpan.FromTicks(1); o.LoginLifetime = TimeSpan.FromTicks(1); o.RetryAfter = TimeSpan.FromTicks(1); } },
        { "refresh lifetime equal to the access lifetime", o => { o.AccessTokenLifetime = TimeSpan.FromDays(1); o.RefreshTokenLifetime = TimeSpan.FromDays(1); } },
        { "shortest code lifetime", o => o.AuthorizationCodeLifetime = TimeSpan.FromTicks(1) },
        { "code lifetime of 10 minutes (RFC 6749 §4.1.2)", o => o.AuthorizationCodeLifetime = TimeSpan.FromMinutes(10) },
        { "smallest body", o => o.MaxRequestBodyLength = 256 },
        { "largest body", o => o.MaxRequestBodyLength = 1024 * 1024 },
        { "a JWT with iss, aud and a 256-bit key", o => Signing(o) },
        { "issuer and audience without signing (opaque tokens)", o => { o.Issuer = "https://issuer"; o.Audience = null; } },
        { "no minimum duration", o => o.FailedAuthentication.MinimumDuration = TimeSpan.Zero },
        { "minimum duration of 10 s", o => o.FailedAuthentication.MinimumDuration = TimeSpan.FromSeconds(10) },
        { "one permit for both", o => { o.FailedAuthentication.PermitLimit = 1; o.FailedAuthentication.AddressPermitLimit = 1; } },
        { "a window of one second", o => o.FailedAuthentication.Window = TimeSpan.FromSeconds(1) },
        { "a profile at the root", o => o.Profiles[0].Path = "/" },
        { "GET and POST reading query and form", o => { o.Profiles[0].Methods = ["GET", "POST"]; o.Profiles[0].Parameters = ParameterLocations.Query | ParameterLocations.Form; } },
        { "the same path for GET on one profile and POST on another", o => o.Profiles.Add(new TokenServerProfile { Name = "get-token", Path = "/oauth/token", Methods = ["GET"], Parameters = ParameterLocations.Query }) },
        { "a check endpoint without client authentication", o => o.Profiles.Add(TokenServerProfiles.QueryStringCheck("/check")) },
        { "a default grant type that the profile lists", o => { o.Profiles[0].GrantTypes = [GrantTypes.Password, GrantTypes.ClientCredentials]; o.Profiles[0].DefaultGrantType = GrantTypes.ClientCredentials; } },
        { "a default grant type when every grant is served", o => o.Profiles[0].DefaultGrantType = GrantTypes.Password },
        { "a profile lifetime of one tick", o => o.Profiles[0].AccessTokenLifetime = TimeSpan.FromTicks(1) },
        { "a format for a grant the profile lists", o => { o.Profiles[0].GrantTypes = [GrantTypes.AuthorizationCode]; o.Profiles[0].ResponseByGrantType[GrantTypes.AuthorizationCode] = new TokenResponseFormat(); } },
        { "renamed parameters", o => o.Profiles[0].ParameterNames["client_secret"] = "secret" },
        { "a confidential client with a development secret only", o => o.Clients.Add(new TokenClient { ClientId = "dev", ClientSecret = "dev-secret" }) },
        { "a public client of the code grant", o => o.Clients.Add(new TokenClient { ClientId = "spa", IsPublic = true, AllowedGrantTypes = [GrantTypes.AuthorizationCode, GrantTypes.RefreshToken], RedirectUris = ["https://app.example/cb?x=1"] }) },
        { "a public client of the implicit grant", o => o.Clients.Add(new TokenClient { ClientId = "legacy-spa", IsPublic = true, AllowedGrantTypes = [GrantTypes.Implicit], RedirectUris = ["http://127.0.0.1:8080/callback"] }) },
        { "redirect URIs without a code grant", o => { var c = Confidential(); c.RedirectUris = ["https://app.example/cb"]; o.Clients.Add(c); } },
        { "scope tokens of every printable character but quote and backslash", o => { var c = Confidential(); c.AllowedScopes = ["!", "#[]~", "api:read", "https://api.example/read"]; o.Clients.Add(c); } },
        { "a client lifetime of one tick", o => { var c = Confidential(); c.AccessTokenLifetime = TimeSpan.FromTicks(1); o.Clients.Add(c); } },
        { "client ids that differ in case only", o => { o.Clients.Add(Confidential("a")); o.Clients.Add(Confidential("A")); } },
    };

    private static void Signing(TokenServerOptions options, string? issuer = "https://issuer.example", string? audience = "api", int keyBytes = 32)
    {
        options.SigningCredentials = new(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(new byte[keyBytes]), "HS256");
        options.Issuer = issuer;
        options.Audience = audience;
    }

    [Theory]
    [MemberData(nameof(Misconfigurations))]
    public void Validate_Misconfigured_ThrowsNamingTheProblem(string expected, Action<TokenServerOptions> misconfigure)
    {
        var options = new TokenServerOptions();
        misconfigure(options);

        var ex = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BoundaryValues))]
    public void Validate_BoundaryValue_IsValid(string boundary, Action<TokenServerOptions> configure)
    {
        var options = new TokenServerOptions();
        configure(options);

        var ex = Record.Exception(options.Validate);

        Assert.True(ex is null, $"{boundary}: {ex?.Message}");
    }

    public static TheoryData<string, Action<TokenServerOptions>> HostMisconfigurations() => new()
    {
        { "AccessTokenLifetime must be positive", o => o.AccessTokenLifetime = TimeSpan.Zero },
        { "RefreshTokenLifetime (00:30:00) must be at least AccessTokenLifetime (01:00:00)", o => o.RefreshTokenLifetime = TimeSpan.FromMinutes(30) },
        { "FailedAuthentication.Window must be at least one second", o => o.FailedAuthentication.Window = TimeSpan.Zero },
        { "Profiles['rfc6749-token'].Path must start with '/'", o => o.Profiles[0].Path = "token" },
        { "client id 'c1' is configured more than once", o => o.Clients.Add(TokenServerApp.Client(TokenServerApp.ClientId, "other", ["read"])) },
        { "client 'spa' may use the authorization_code grant and so needs RedirectUris", o => o.Clients.Add(new TokenClient { ClientId = "spa", IsPublic = true, AllowedGrantTypes = [GrantTypes.AuthorizationCode] }) },
    };

    [Theory]
    [MemberData(nameof(HostMisconfigurations))]
    public async Task Startup_Misconfigured_HostDoesNotStartAndNamesTheProblem(string expected, Action<TokenServerOptions> misconfigure)
    {
        // AddTokenAuthServer validates on start (ValidateOnStart): the host fails in StartAsync, not on its first token request.
        var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => TokenServerApp.StartAsync(misconfigure));

        Assert.Contains(expected, ex.GetBaseException().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_EveryBoundaryAtOnce_StartsAndIssuesTokens()
    {
        await using var app = await TokenServerApp.StartAsync(o =>
        {
            o.AccessTokenLifetime = TimeSpan.FromSeconds(1);
            o.RefreshTokenLifetime = TimeSpan.FromSeconds(1);
            o.AuthorizationCodeLifetime = TimeSpan.FromMinutes(10);
            o.MaxRequestBodyLength = 256;
            o.FailedAuthentication.PermitLimit = 1;
            o.FailedAuthentication.AddressPermitLimit = 1;
            o.FailedAuthentication.Window = TimeSpan.FromSeconds(1);
        });

        var token = await TokenServerApp.GetTokenAsync(app);
        var me = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(System.Net.HttpStatusCode.OK, me.StatusCode);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await app.Client.SendAsync(TestApp.Get("/protected", token))).StatusCode);
    }

    [Fact]
    public void Validate_Defaults_AndEveryBuiltInProfileTogether_AreValid()
    {
        var options = new TokenServerOptions
        {
            Profiles =
            {
                TokenServerProfiles.QueryStringToken("/a"), TokenServerProfiles.QueryStringCheck("/a/check"), TokenServerProfiles.QueryStringRevoke("/a/revoke"),
                TokenServerProfiles.CamelCaseJsonToken("/b/"), TokenServerProfiles.ResultEnvelopeToken("/c"), TokenServerProfiles.Authorize("/c/authorize", "c-authorize"),
                TokenServerProfiles.CodeMessageEnvelopeToken("/d"),
            },
            Clients = { Confidential(), new TokenClient { ClientId = "spa", IsPublic = true, AllowedGrantTypes = [GrantTypes.AuthorizationCode], RedirectUris = ["http://127.0.0.1:8080/callback", "com.example.app:/oauth2redirect"] } },
        };

        options.Validate();

        Assert.Equal(11, options.Profiles.Count);
        Assert.Equal(["/oauth/token", "/oauth/authorize", "/oauth/revoke", "/oauth/introspect"], options.Profiles.Take(4).Select(p => p.Path));
    }

    [Fact]
    public void BuiltInProfiles_AreNewInstances_SoAHostMayChangeOne()
    {
        var first = TokenServerProfiles.CodeMessageEnvelopeToken("/d");
        first.Response.Envelope!.CodeMember = "status";

        Assert.Equal("code", TokenServerProfiles.CodeMessageEnvelopeToken("/d").Response.Envelope!.CodeMember);
    }
}
