using System.Net;
using System.Text.Json;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Server.TokenServerApp;

namespace TokenAuth.Tests.Server;

/// <summary>
/// What mutation testing of the token endpoint found the other server tests did not pin, each through the real pipeline:
/// the subject of a token asked for a user on a server without users, the refusals of <c>user_type</c>, the password
/// grant (no users, <c>account_type</c>, a refresh token only for clients configured for one), what a user's token says
/// of their names, and the 128-character bound of ids.
/// </summary>
public sealed class TokenEndpointMutationTests
{
    /// <summary>A client that may ask for tokens of its users (seed 002's <c>userId</c>).</summary>
    private const string ActorId = "actor";
    private const string ActorSecret = "actor-secret";

    /// <summary>A client of the password grant, without and with the refresh_token grant.</summary>
    private const string PasswordId = "pw";
    private const string PasswordRefreshId = "pw-refresh";
    private const string PasswordSecret = "pw-secret";

    private static Task<TestApp> StartAsync(ITokenUserStore? users = null, Action<TokenServerOptions>? server = null) => TokenServerApp.StartAsync(
        o =>
        {
            var actor = Client(ActorId, ActorSecret, ["read"]);
            actor.CanActForUsers = true;
            o.Clients.Add(actor);
            o.Clients.Add(Client(PasswordId, PasswordSecret, ["read"], GrantTypes.Password));
            o.Clients.Add(Client(PasswordRefreshId, PasswordSecret, ["read"], GrantTypes.Password, GrantTypes.RefreshToken));
            server?.Invoke(o);
        },
        users: users);

    private static HttpRequestMessage ForUser(string userId)
        => TokenRequest(("grant_type", "client_credentials"), ("client_id", ActorId), ("client_secret", ActorSecret), ("user_id", userId));

    private static HttpRequestMessage Password(string clientId = PasswordId, params (string Name, string Value)[] extra)
        => TokenRequest([("grant_type", "password"), ("client_id", clientId), ("client_secret", PasswordSecret), ("username", TestUserStore.Alice), ("password", TestUserStore.AlicePassword), .. extra]);

    /// <summary>Sends <paramref name="request"/>, asserts 200, and answers the JSON and what the store holds for its access token.</summary>
    private static async Task<(JsonElement Json, TokenInfo Info)> IssuedAsync(TestApp app, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await app.Client.SendAsync(request);
            var json = await ReadJsonAsync(response);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected a token, got {(int)response.StatusCode}: {json}");
            var info = await app.Store.FindAsync(TokenHash.Compute(json.GetProperty("access_token").GetString()!));
            Assert.NotNull(info);
            return (json, info);
        }
    }

    /// <summary>Sends <paramref name="request"/> and asserts a 400 with <paramref name="error"/>; answers its description (in <paramref name="member"/>).</summary>
    private static async Task<string?> RefusedAsync(TestApp app, HttpRequestMessage request, string error, string member = "error_description")
    {
        using (request)
        {
            using var response = await app.Client.SendAsync(request);
            var json = await ReadJsonAsync(response);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {json}");
            Assert.Equal(error, json.GetProperty("error").GetString());
            return json.GetProperty(member).GetString();
        }
    }

    /// <summary><paramref name="length"/> characters cycling through every kind an id may hold.</summary>
    private static string Id(int length) => string.Concat(Enumerable.Range(0, length).Select(i => "aZ9-_.@"[i % 7]));

    // ---- client_credentials with user_id (seed 002) ----

    [Theory]
    [InlineData(4)]
    [InlineData(128)]
    public async Task ClientCredentials_UserIdOnAServerWithoutUsers_TheTokenIsTheUsers(int length)
    {
        await using var app = await StartAsync();
        var userId = Id(length);

        var (_, info) = await IssuedAsync(app, ForUser(userId));

        Assert.Equal(userId, info.Subject);
        Assert.Equal(ActorId, info.ClientId);
        // Nothing is known of the user but the id.
        Assert.Null(info.Name);
        Assert.Empty(info.Claims);
    }

    [Fact]
    public async Task ClientCredentials_UserIdOf129Characters_InvalidRequest()
    {
        await using var app = await StartAsync();

        var description = await RefusedAsync(app, ForUser(Id(129)), OAuthErrors.InvalidRequest);

        Assert.Equal("The parameter 'user_id' must be an id of at most 128 letters, digits, '-', '_', '.' or '@'.", description);
    }

    [Theory]
    [InlineData("carol", null, "carol")]       // no display name: the user name is the token's name
    [InlineData("", null, null)]               // neither: no name, no preferred_username
    [InlineData("dave", "Dave D.", "Dave D.")] // a display name wins
    public async Task ClientCredentials_UserIdOfAKnownUser_TheTokenNamesThemByDisplayNameThenUserName(string userName, string? displayName, string? expectedName)
    {
        var users = new TestUserStore();
        users.Add(new TokenUser { Id = "u-7", UserName = userName, DisplayName = displayName, Roles = ["staff"] });
        await using var app = await StartAsync(users);

        var (_, info) = await IssuedAsync(app, ForUser("u-7"));

        Assert.Equal("u-7", info.Subject);
        Assert.Equal(expectedName, info.Name);
        Assert.Equal(["staff"], info.Roles);
        Assert.Equal(
            userName.Length > 0 ? [new TokenClaim(TokenServerClaimTypes.PreferredUserName, userName)] : [],
            info.Claims);
    }

    // ---- user_type (seed 004) ----

    [Fact]
    public async Task UserType_OnAProfileListingNone_InvalidRequestNotAcceptedHere()
    {
        await using var app = await StartAsync();

        var description = await RefusedAsync(app, TokenRequest(("grant_type", "client_credentials"), ("client_id", ClientId), ("client_secret", ClientSecret), ("user_type", "2")), OAuthErrors.InvalidRequest);

        Assert.Equal("The parameter 'user_type' is not accepted here.", description);
    }

    [Fact]
    public async Task UserType_NotOneListed_InvalidRequestNamingTheListedOnesUnderTheWireName()
    {
        await using var app = await StartAsync(server: o =>
        {
            var profile = TokenServerProfiles.CodeMessageEnvelopeToken("/openapi/auth/credential");
            profile.UserTypes = ["1", "2"];
            o.Profiles.Add(profile);
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/openapi/auth/credential")
        {
            Content = new FormUrlEncodedContent([new("clientId", ClientId), new("secret", ClientSecret), new("userType", "3")]),
        };

        // Seed 004's envelope carries the description in "message".
        var description = await RefusedAsync(app, request, OAuthErrors.InvalidRequest, "message");

        Assert.Equal("The parameter 'userType' must be 1 or 2.", description);
    }

    // ---- password ----

    [Fact]
    public async Task Password_OnAServerWithoutUsers_UnsupportedGrantType()
    {
        await using var app = await StartAsync();

        var description = await RefusedAsync(app, Password(), OAuthErrors.UnsupportedGrantType);

        Assert.Equal("This server has no users: the password grant is not available.", description);
    }

    [Fact]
    public async Task Password_WithAccountType_TheTokenCarriesIt()
    {
        await using var app = await StartAsync(new TestUserStore());

        var (json, info) = await IssuedAsync(app, Password(PasswordId, ("account_type", "admin")));

        Assert.Equal("admin", json.GetProperty("account_type").GetString());
        Assert.Equal(TestUserStore.AliceId, info.Subject);
        Assert.Equal("Alice", info.Name);
        Assert.Equal(
            [new TokenClaim(TokenServerClaimTypes.PreferredUserName, TestUserStore.Alice), new TokenClaim(TokenServerClaimTypes.AccountType, "admin")],
            info.Claims);
    }

    [Theory]
    [InlineData(128, true)]
    [InlineData(129, false)]
    public async Task Password_AccountTypeOfAtMost128Characters(int length, bool accepted)
    {
        await using var app = await StartAsync(new TestUserStore());
        var accountType = Id(length);

        if (accepted)
        {
            var (_, info) = await IssuedAsync(app, Password(PasswordId, ("account_type", accountType)));
            Assert.Contains(new TokenClaim(TokenServerClaimTypes.AccountType, accountType), info.Claims);
            return;
        }

        var description = await RefusedAsync(app, Password(PasswordId, ("account_type", accountType)), OAuthErrors.InvalidRequest);
        Assert.Equal("The parameter 'account_type' must be at most 128 letters, digits, '-', '_', '.' or '@'.", description);
    }

    [Theory]
    [InlineData(PasswordId, false)]
    [InlineData(PasswordRefreshId, true)]
    public async Task Password_RefreshTokenOnlyForAClientConfiguredForTheRefreshGrant(string clientId, bool refresh)
    {
        await using var app = await StartAsync(new TestUserStore());

        var (json, _) = await IssuedAsync(app, Password(clientId));

        Assert.Equal(refresh, json.TryGetProperty("refresh_token", out _));
    }
}
