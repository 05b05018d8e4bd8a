using TokenAuth.Server;

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
    };

    [Theory]
    [MemberData(nameof(Misconfigurations))]
    public void Validate_Misconfigured_ThrowsNamingTheProblem(string expected, Action<TokenServerOptions> misconfigure)
    {
        var options = new TokenServerOptions();
        misconfigure(options);

        var ex = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
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
