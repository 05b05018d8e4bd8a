using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Server.TokenServerApp;

namespace TokenAuth.Tests.Server;

/// <summary>
/// <see cref="ITokenIssuer"/>: a host's own login code mints the tokens the token endpoint would — accepted by the
/// handler, refreshed and revoked by the endpoints — within the client's scopes, and a store outage is a store outage.
/// </summary>
public sealed class TokenIssuerTests
{
    private const string WebClientId = "web";

    /// <summary>The server's clients plus "web" (read, write; refresh_token), and the host's own <c>POST /login</c>.</summary>
    private static Task<TestApp> StartAsync(Action<IServiceCollection>? services = null) => TestApp.StartAsync(
        o => o.UseTokenStore = true,
        s =>
        {
            services?.Invoke(s);
            s.AddTokenAuthServer(o =>
            {
                o.FailedAuthentication.MinimumDuration = TimeSpan.FromMilliseconds(1);
                o.Clients.Add(Client(ClientId, ClientSecret, ["read", "write"], GrantTypes.ClientCredentials));
                o.Clients.Add(Client(WebClientId, "web-secret", ["read", "write"], GrantTypes.Password, GrantTypes.RefreshToken));
            });
        },
        map: app =>
        {
            app.MapTokenAuthServer();
            // A login of the host's own (its own password check, 2FA, …): it vouches for the user, TokenAuth issues.
            app.MapPost("/login", async (HttpContext context, ITokenIssuer issuer) =>
            {
                var tokens = await issuer.IssueAsync(new TokenIssueRequest
                {
                    ClientId = WebClientId,
                    User = new TokenUser { Id = "1001", UserName = "alice", DisplayName = "Alice", Roles = ["admin"] },
                    Scopes = ["read"],
                });
                return Results.Json(new { access_token = tokens.AccessToken, token_type = tokens.TokenType, refresh_token = tokens.RefreshToken, expires_at = tokens.ExpiresAt });
            }).AllowAnonymous();
        });

    [Fact]
    public async Task HostLogin_TokenIsAcceptedAsTheEndpointsWouldBe_RefreshedAndRevokedByThem()
    {
        await using var app = await StartAsync();
        var login = await ReadJsonAsync(await app.Client.PostAsync("/login", null));
        var access = login.GetProperty("access_token").GetString()!;
        var refresh = login.GetProperty("refresh_token").GetString()!;
        Assert.Equal("Bearer", login.GetProperty("token_type").GetString());
        Assert.Equal(TestApp.Start.AddHours(1), login.GetProperty("expires_at").GetDateTimeOffset());
        Assert.Equal(43, access.Length);

        var me = await ReadJsonAsync(await app.Client.SendAsync(TestApp.Get("/protected", access)));
        Assert.Equal("1001", me.GetProperty("sub").GetString());
        Assert.Equal(WebClientId, me.GetProperty("clientId").GetString());
        Assert.Equal(["read"], me.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(["admin"], me.GetProperty("roles").EnumerateArray().Select(e => e.GetString()!).ToArray());
        using (var scoped = await app.Client.SendAsync(TestApp.Get("/scoped", access)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, scoped.StatusCode);   // "write" was not asked for
        }

        // The endpoint's refresh_token grant rotates it like any other.
        using var refreshed = await app.Client.SendAsync(TokenRequest(("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", WebClientId), ("client_secret", "web-secret")));
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var second = (await ReadJsonAsync(refreshed)).GetProperty("access_token").GetString()!;
        Assert.Equal("1001", (await ReadJsonAsync(await app.Client.SendAsync(TestApp.Get("/protected", second)))).GetProperty("sub").GetString());

        // A replay of the first refresh token revokes the family: the host-issued access token goes with it.
        using var replay = await app.Client.SendAsync(TokenRequest(("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", WebClientId), ("client_secret", "web-secret")));
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        using var revoked = await app.Client.SendAsync(TestApp.Get("/protected", access));
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    [Fact]
    public async Task ClientsOwnToken_AllItsScopes_NoRefreshTokenWithoutTheGrant_AndTheLifetimeAsked()
    {
        await using var app = await StartAsync();
        var issuer = app.Services.GetRequiredService<ITokenIssuer>();

        var tokens = await issuer.IssueAsync(new TokenIssueRequest { ClientId = ClientId, Lifetime = TimeSpan.FromMinutes(5) });

        Assert.Equal(["read", "write"], tokens.Scopes);
        Assert.Null(tokens.RefreshToken);
        Assert.Equal(TestApp.Start.AddMinutes(5), tokens.ExpiresAt);
        Assert.DoesNotContain(tokens.AccessToken, tokens.ToString(), StringComparison.Ordinal);
        var me = await ReadJsonAsync(await app.Client.SendAsync(TestApp.Get("/protected", tokens.AccessToken)));
        Assert.Equal(ClientId, me.GetProperty("sub").GetString());
        app.Time.Advance(TimeSpan.FromMinutes(5));
        using var expired = await app.Client.SendAsync(TestApp.Get("/protected", tokens.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Theory]
    [InlineData("unknown", null, null, null, "No client 'unknown' is registered.")]
    [InlineData(ClientId, "admin", null, null, "The client may not request the scope 'admin'.")]
    [InlineData(ClientId, null, true, null, "The client 'c1' is not allowed the refresh_token grant: it would be issued a refresh token it cannot use.")]
    [InlineData(ClientId, null, null, 0, "The lifetime must be positive; it is 00:00:00.")]
    public async Task Misuse_IsAnArgumentException_SayingWhy_AndIssuesNothing(string clientId, string? scope, bool? withRefresh, int? lifetimeSeconds, string message)
    {
        var store = new InMemoryTokenStore(TimeProvider.System);
        await using var app = await StartAsync(s => s.AddSingleton<ITokenStore>(store));
        var issuer = app.Services.GetRequiredService<ITokenIssuer>();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => issuer.IssueAsync(new TokenIssueRequest
        {
            ClientId = clientId,
            Scopes = scope is null ? null : [scope],
            WithRefreshToken = withRefresh,
            Lifetime = lifetimeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        }));

        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal("request", ex.ParamName);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task StoreDown_IsTokenStoreUnavailable_WithTheStoresFaultInside()
    {
        var store = new Mock<ITokenStore>();
        store.Setup(s => s.SaveAsync(It.IsAny<TokenHash>(), It.IsAny<TokenInfo>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException("Redis timed out"));
        await using var app = await StartAsync(s => s.AddSingleton(store.Object));
        var issuer = app.Services.GetRequiredService<ITokenIssuer>();

        var ex = await Assert.ThrowsAsync<TokenStoreUnavailableException>(() => issuer.IssueAsync(new TokenIssueRequest { ClientId = ClientId }));

        Assert.IsType<TimeoutException>(ex.InnerException);
    }
}
