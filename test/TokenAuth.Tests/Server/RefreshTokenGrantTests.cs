using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Server.TokenServerApp;

namespace TokenAuth.Tests.Server;

public class RefreshTokenGrantTests
{
    private const string RefreshClientId = "r1";
    private const string RefreshClientSecret = "r1-secret";
    private const string OtherRefreshClientId = "r2";
    private const string OtherRefreshClientSecret = "r2-secret";

    private static Task<TestApp> StartAsync(Action<IServiceCollection>? services = null) => TokenServerApp.StartAsync(
        server: o =>
        {
            o.Clients.Add(Client(RefreshClientId, RefreshClientSecret, ["read", "write"], GrantTypes.ClientCredentials, GrantTypes.RefreshToken));
            o.Clients.Add(Client(OtherRefreshClientId, OtherRefreshClientSecret, ["read", "write"], GrantTypes.ClientCredentials, GrantTypes.RefreshToken));
        },
        services: services);

    private static HttpRequestMessage Refresh(string refreshToken, string clientId = RefreshClientId, string secret = RefreshClientSecret, string? scope = null)
    {
        var fields = new List<(string, string)> { ("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("client_id", clientId), ("client_secret", secret) };
        if (scope is not null)
        {
            fields.Add(("scope", scope));
        }

        return TokenRequest([.. fields]);
    }

    private static async Task<(string Access, string Refresh)> GrantAsync(TestApp app)
    {
        var json = await ReadJsonAsync(await app.Client.SendAsync(ClientCredentials(RefreshClientId, RefreshClientSecret)));
        return (json.GetProperty("access_token").GetString()!, json.GetProperty("refresh_token").GetString()!);
    }

    private static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, string error, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        Assert.Equal(status, response.StatusCode);
        var json = await ReadJsonAsync(response);
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.False(json.TryGetProperty("access_token", out _));
        return json;
    }

    [Fact]
    public async Task ClientCredentials_ClientWithRefreshGrant_GetsRefreshToken_OthersDoNot()
    {
        await using var app = await StartAsync();

        var withRefresh = await ReadJsonAsync(await app.Client.SendAsync(ClientCredentials(RefreshClientId, RefreshClientSecret)));
        var without = await ReadJsonAsync(await app.Client.SendAsync(ClientCredentials()));

        Assert.Equal(43, withRefresh.GetProperty("refresh_token").GetString()!.Length);
        Assert.False(without.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task Refresh_Valid_RotatesBothTokens_AndTheNewAccessTokenWorks()
    {
        await using var app = await StartAsync();
        var (access, refresh) = await GrantAsync(app);

        var response = await app.Client.SendAsync(Refresh(refresh));
        var json = await ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var newAccess = json.GetProperty("access_token").GetString()!;
        var newRefresh = json.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(access, newAccess);
        Assert.NotEqual(refresh, newRefresh);
        Assert.Equal("read write", json.GetProperty("scope").GetString());
        Assert.True(response.Headers.CacheControl?.NoStore);
        var me = await TokenAuth.Tests.Handler.Http.JsonAsync(await app.Client.SendAsync(TestApp.Get("/protected", newAccess)));
        Assert.Equal(RefreshClientId, me.GetProperty("clientId").GetString());
    }

    [Fact]
    public async Task Refresh_SameTokenTwice_SecondIsInvalidGrant()
    {
        await using var app = await StartAsync();
        var (_, refresh) = await GrantAsync(app);

        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(Refresh(refresh))).StatusCode);

        await AssertErrorAsync(await app.Client.SendAsync(Refresh(refresh)), OAuthErrors.InvalidGrant);
    }

    [Fact]
    public async Task Refresh_ConsumedTokenPresentedAgain_RevokesEveryTokenOfTheFamily()
    {
        await using var app = await StartAsync();
        var (access1, refresh1) = await GrantAsync(app);
        var second = await ReadJsonAsync(await app.Client.SendAsync(Refresh(refresh1)));
        var third = await ReadJsonAsync(await app.Client.SendAsync(Refresh(second.GetProperty("refresh_token").GetString()!)));
        var (otherAccess, otherRefresh) = await GrantAsync(app);

        // RFC 9700 §4.14.2: the first refresh token again — stolen, or replayed — ends the whole grant.
        await AssertErrorAsync(await app.Client.SendAsync(Refresh(refresh1)), OAuthErrors.InvalidGrant);

        foreach (var access in new[] { access1, second.GetProperty("access_token").GetString()!, third.GetProperty("access_token").GetString()! })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(TestApp.Get("/protected", access))).StatusCode);
        }

        await AssertErrorAsync(await app.Client.SendAsync(Refresh(third.GetProperty("refresh_token").GetString()!)), OAuthErrors.InvalidGrant);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "GrantReplayed");

        // Another grant of the same client is untouched.
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", otherAccess))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(Refresh(otherRefresh))).StatusCode);
    }

    [Fact]
    public async Task Refresh_FiftyConcurrentRequestsWithOneToken_ExactlyOneSucceeds()
    {
        await using var app = await StartAsync();
        var (_, refresh) = await GrantAsync(app);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => app.Client.SendAsync(Refresh(refresh))));

        var winner = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(49, responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest));
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            await AssertErrorAsync(response, OAuthErrors.InvalidGrant);
        }

        // A request that arrived after the winner had consumed the token was a reuse (RFC 9700 §4.14.2 makes no exception
        // for a client that sends its refresh token twice): whether the winner's new tokens survive depends on that timing.
        Assert.Equal(43, (await ReadJsonAsync(winner)).GetProperty("refresh_token").GetString()!.Length);
    }

    [Fact]
    public async Task Refresh_PresentedWhileAnotherRequestRedeemsIt_IsRefusedWithoutRevokingTheFamily()
    {
        await using var app = await StartAsync();
        var (access, refresh) = await GrantAsync(app);
        var grants = app.Services.GetRequiredService<IGrantStore>();
        var handle = TokenHash.Compute("refresh_token:" + refresh);
        // Another node has consumed the token and is issuing its successors.
        await grants.ConsumeAsync(handle, app.Time.GetUtcNow());

        await AssertErrorAsync(await app.Client.SendAsync(Refresh(refresh)), OAuthErrors.InvalidGrant);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", access))).StatusCode);
        Assert.Contains("GrantKind=refresh token", SingleLog(app, "GrantRaceLost"), StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Entries, e => e.EventId.Name == "GrantReplayed");

        // Its redemption completed: the same token now is a replay, and the family goes.
        await grants.CompleteAsync(handle, app.Time.GetUtcNow());
        await AssertErrorAsync(await app.Client.SendAsync(Refresh(refresh)), OAuthErrors.InvalidGrant);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(TestApp.Get("/protected", access))).StatusCode);
        Assert.Contains("GrantKind=refresh token", SingleLog(app, "GrantReplayed"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_ConsumedByAnotherNodeBetweenLookUpAndConsumption_RaceLostWithoutRevokingTheFamily()
    {
        await using var app = await StartAsync(InterleavingGrantStore.Register);
        var (access, refresh) = await GrantAsync(app);
        var grants = (InterleavingGrantStore)app.Services.GetRequiredService<IGrantStore>();
        // The endpoint finds the token unused; before it consumes it, another node does.
        grants.AfterFind = (store, handle, _) => store.ConsumeAsync(handle, app.Time.GetUtcNow());

        await AssertErrorAsync(await app.Client.SendAsync(Refresh(refresh)), OAuthErrors.InvalidGrant);

        Assert.Contains("GrantKind=refresh token", SingleLog(app, "GrantRaceLost"), StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Entries, e => e.EventId.Name == "GrantReplayed");
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", access))).StatusCode);
    }

    [Fact]
    public async Task Refresh_FamilyRevokedWhileTheNewTokensAreIssued_InvalidGrantAndNothingIssuedSurvives()
    {
        await using var app = await StartAsync(InterleavingGrantStore.Register);
        var (_, refresh) = await GrantAsync(app);
        var grants = (InterleavingGrantStore)app.Services.GetRequiredService<IGrantStore>();
        var store = (InMemoryTokenStore)app.Store;
        Assert.Equal(1, store.Count);
        // Right after this request consumed the token, another node revokes its family (a replay it saw, a revocation).
        grants.AfterConsume = async (inner, grant) =>
        {
            foreach (var accessToken in await inner.RevokeFamilyAsync(grant.FamilyId))
            {
                await store.RemoveAsync(accessToken);
            }
        };

        var json = await AssertErrorAsync(await app.Client.SendAsync(Refresh(refresh)), OAuthErrors.InvalidGrant);

        Assert.Equal("The grant was revoked.", json.GetProperty("error_description").GetString());
        Assert.False(json.TryGetProperty("refresh_token", out _));
        // The access token minted before the family was found revoked is withdrawn again: nothing of the family is left.
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task Refresh_PresentedLongAfterARedemptionThatNeverCompleted_IsAReplay()
    {
        await using var app = await StartAsync();
        var (access, refresh) = await GrantAsync(app);
        await app.Services.GetRequiredService<IGrantStore>().ConsumeAsync(TokenHash.Compute("refresh_token:" + refresh), app.Time.GetUtcNow());

        app.Time.Advance(TimeSpan.FromSeconds(10));

        await AssertErrorAsync(await app.Client.SendAsync(Refresh(refresh)), OAuthErrors.InvalidGrant);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(TestApp.Get("/protected", access))).StatusCode);
    }

    [Fact]
    public async Task Grant_RefreshTokenCannotBeSaved_503AndTheAccessTokenIsWithdrawn()
    {
        var grants = new Mock<IGrantStore>();
        grants.Setup(g => g.AddToFamilyAsync(It.IsAny<string>(), It.IsAny<FamilyMember>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).ReturnsAsync(true);
        grants.Setup(g => g.SaveAsync(It.IsAny<TokenHash>(), It.IsAny<GrantRecord>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException("redis timeout"));
        await using var app = await StartAsync(s => s.AddSingleton(grants.Object));

        var response = await app.Client.SendAsync(ClientCredentials(RefreshClientId, RefreshClientSecret));

        await AssertErrorAsync(response, OAuthErrors.TemporarilyUnavailable, HttpStatusCode.ServiceUnavailable);
        // No half-issued grant: the access token saved before the failure is gone again.
        Assert.Equal(0, ((InMemoryTokenStore)app.Store).Count);
    }

    [Fact]
    public async Task Refresh_UnknownToken_InvalidGrant()
    {
        await using var app = await StartAsync();

        await AssertErrorAsync(await app.Client.SendAsync(Refresh("not-a-refresh-token")), OAuthErrors.InvalidGrant);
    }

    [Fact]
    public async Task Refresh_ByAnotherClient_InvalidGrant()
    {
        await using var app = await StartAsync();
        var (_, refresh) = await GrantAsync(app);

        await AssertErrorAsync(await app.Client.SendAsync(Refresh(refresh, OtherRefreshClientId, OtherRefreshClientSecret)), OAuthErrors.InvalidGrant);
    }

    [Fact]
    public async Task Refresh_AfterGrantLifetime_InvalidGrant()
    {
        await using var app = await StartAsync();
        var (_, refresh) = await GrantAsync(app);

        app.Time.Advance(TimeSpan.FromDays(14));

        await AssertErrorAsync(await app.Client.SendAsync(Refresh(refresh)), OAuthErrors.InvalidGrant);
    }

    [Fact]
    public async Task Refresh_RotationDoesNotExtendTheGrant()
    {
        await using var app = await StartAsync();
        var (_, first) = await GrantAsync(app);
        app.Time.Advance(TimeSpan.FromDays(10));
        var second = (await ReadJsonAsync(await app.Client.SendAsync(Refresh(first)))).GetProperty("refresh_token").GetString()!;

        app.Time.Advance(TimeSpan.FromDays(4) + TimeSpan.FromSeconds(1));

        await AssertErrorAsync(await app.Client.SendAsync(Refresh(second)), OAuthErrors.InvalidGrant);
    }

    [Fact]
    public async Task Refresh_NarrowerScope_Granted_WiderScope_InvalidScope()
    {
        await using var app = await StartAsync();
        var (_, refresh) = await GrantAsync(app);

        var narrowed = await ReadJsonAsync(await app.Client.SendAsync(Refresh(refresh, scope: "read")));
        var widened = await app.Client.SendAsync(Refresh(narrowed.GetProperty("refresh_token").GetString()!, scope: "read write"));

        Assert.Equal("read", narrowed.GetProperty("scope").GetString());
        var json = await AssertErrorAsync(widened, OAuthErrors.InvalidScope);
        Assert.Equal("A refresh may not ask for scopes beyond the original grant.", json.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Refresh_MissingParameter_InvalidRequest()
    {
        await using var app = await StartAsync();

        var response = await app.Client.SendAsync(TokenRequest(("grant_type", "refresh_token"), ("client_id", RefreshClientId), ("client_secret", RefreshClientSecret)));

        await AssertErrorAsync(response, OAuthErrors.InvalidRequest);
    }

    [Fact]
    public async Task Refresh_ClientWithoutRefreshGrant_UnauthorizedClient()
    {
        await using var app = await StartAsync();
        var (_, refresh) = await GrantAsync(app);

        await AssertErrorAsync(await app.Client.SendAsync(Refresh(refresh, ClientId, ClientSecret)), OAuthErrors.UnauthorizedClient);
    }

    [Fact]
    public async Task RefreshAndAccessTokens_AreNotInterchangeable()
    {
        await using var app = await StartAsync();
        var (access, refresh) = await GrantAsync(app);

        var refreshAsAccess = await app.Client.SendAsync(TestApp.Get("/protected", refresh));
        var accessAsRefresh = await app.Client.SendAsync(Refresh(access));

        Assert.Equal(HttpStatusCode.Unauthorized, refreshAsAccess.StatusCode);
        await AssertErrorAsync(accessAsRefresh, OAuthErrors.InvalidGrant);
    }

    [Fact]
    public async Task Refresh_StoreDown_503NotInvalidGrant()
    {
        var store = new Mock<IGrantStore>();
        store.Setup(s => s.FindAsync(It.IsAny<TokenHash>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException());
        await using var app = await StartAsync(s => s.AddSingleton(store.Object));

        var response = await app.Client.SendAsync(Refresh("any-refresh-token"));

        await AssertErrorAsync(response, OAuthErrors.TemporarilyUnavailable, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
    }
}
