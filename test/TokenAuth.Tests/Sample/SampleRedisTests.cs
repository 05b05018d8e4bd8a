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
        Assert.True(await mux.GetDatabase().KeyExistsAsync(TokenAuthDefaults.StoreKeyPrefix + TokenHash.Compute(token).Value));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        using var me = await otherClient.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);

        // Revoked on one node (the entry removed), refused on the other at once.
        await mux.GetDatabase().KeyDeleteAsync(TokenAuthDefaults.StoreKeyPrefix + TokenHash.Compute(token).Value);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/me") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await otherClient.SendAsync(again)).StatusCode);
    }
}
