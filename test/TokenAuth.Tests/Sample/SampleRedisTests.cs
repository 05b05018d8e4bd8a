using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Sample;

public class SampleRedisTests
{
    [RedisFact]
    public async Task Sample_WithRedisConnectionString_KeepsTokensInRedis_SharedByTwoInstances()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var issuer = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("ConnectionStrings:Redis", redis.ConnectionString));
        await using var other = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("ConnectionStrings:Redis", redis.ConnectionString));
        using var issuerClient = issuer.CreateClient();
        using var otherClient = other.CreateClient();

        using var tokenResponse = await issuerClient.PostAsync("/oauth/token", new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"), new("client_id", "demo-client"), new("client_secret", "demo-secret"),
        ]));
        using var json = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
        var token = json.RootElement.GetProperty("access_token").GetString()!;

        // The entry is in Redis, keyed by hash: the other instance (another node of a farm) accepts the token.
        using var mux = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var key = Store.RedisTokenStoreTests.CompactKey(token);
        Assert.True(await mux.GetDatabase().KeyExistsAsync(key));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        using var me = await otherClient.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);

        // Revoked on one node (RFC 7009), refused on the other within a second although it holds a memory copy.
        using var revoke = await issuerClient.PostAsync("/oauth/revoke", new FormUrlEncodedContent(
        [
            new("token", token), new("client_id", "demo-client"), new("client_secret", "demo-secret"),
        ]));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.False(await mux.GetDatabase().KeyExistsAsync(key));
        var revokedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        while (await MeAsync(otherClient, token) != HttpStatusCode.Unauthorized)
        {
            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(revokedAt) < TimeSpan.FromSeconds(1), "the other node still accepted the revoked token after 1 s");
            await Task.Delay(10);
        }

        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(revokedAt) < TimeSpan.FromSeconds(1));
    }

    [RedisFact]
    public async Task Sample_WithRedis_FiftyConcurrentRefreshesOnTwoNodes_ExactlyOneWins()
    {
        await using var redis = await RedisServer.StartAsync();
        // Fifty PBKDF2 checks of demo-secret keep both cores busy for a second: give Redis replies more than the
        // fixture's fail-fast 1 s, so that a slow reply is not a 503 here (outages are tested elsewhere).
        await using var first = SampleOn(redis, ",asyncTimeout=10000,syncTimeout=10000");
        await using var second = SampleOn(redis, ",asyncTimeout=10000,syncTimeout=10000");
        using var a = first.CreateClient();
        using var b = second.CreateClient();
        var (_, refresh) = await GrantAsync(a);

        // Seed 002's refresh request, fifty times at once, half on each node: the Lua consumption lets exactly one through.
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => (i % 2 == 0 ? a : b).PostAsync("/oauth2/token/", Json(refresh))));

        var winner = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        using (var rotated = JsonDocument.Parse(await winner.Content.ReadAsStringAsync()))
        {
            Assert.Equal(43, rotated.RootElement.GetProperty("refreshToken").GetString()!.Length);
        }

        foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.BadRequest, loser.StatusCode);
            using var error = JsonDocument.Parse(await loser.Content.ReadAsStringAsync());
            Assert.Equal("invalid_grant", error.RootElement.GetProperty("error").GetString());
        }
    }

    [RedisFact]
    public async Task Sample_WithRedis_RefreshTokenReusedOnAnotherNode_RevokesTheFamilyOnBoth()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var first = SampleOn(redis);
        await using var second = SampleOn(redis);
        using var a = first.CreateClient();
        using var b = second.CreateClient();
        var (access, refresh) = await GrantAsync(a);
        using var rotation = await a.PostAsync("/oauth2/token/", Json(refresh));
        using var rotated = JsonDocument.Parse(await rotation.Content.ReadAsStringAsync());
        var newAccess = rotated.RootElement.GetProperty("accessToken").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await MeAsync(b, newAccess));

        using var reuse = await b.PostAsync("/oauth2/token/", Json(refresh));

        Assert.Equal(HttpStatusCode.BadRequest, reuse.StatusCode);
        foreach (var token in new[] { access, newAccess })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(a, token));
            Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(b, token));
        }

        using var next = await a.PostAsync("/oauth2/token/", Json(rotated.RootElement.GetProperty("refreshToken").GetString()!));
        Assert.Equal(HttpStatusCode.BadRequest, next.StatusCode);
    }

    private static WebApplicationFactory<Program> SampleOn(RedisServer redis, string extraOptions = "")
        => new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("ConnectionStrings:Redis", redis.ConnectionString + extraOptions));

    private static async Task<(string Access, string Refresh)> GrantAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/oauth/token", new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"), new("client_id", "demo-client"), new("client_secret", "demo-secret"),
        ]));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("access_token").GetString()!, json.RootElement.GetProperty("refresh_token").GetString()!);
    }

    private static StringContent Json(string refreshToken) => new(
        $$"""{"clientId":"demo-client","clientSecret":"demo-secret","grantType":"refresh_token","refreshToken":"{{refreshToken}}"}""",
        System.Text.Encoding.UTF8,
        "application/json");

    private static async Task<HttpStatusCode> MeAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
