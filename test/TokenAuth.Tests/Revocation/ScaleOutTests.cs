using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TokenAuth.Tests.Infrastructure;
using TokenAuth.Tests.Seeds;
using Xunit.Abstractions;

namespace TokenAuth.Tests.Revocation;

/// <summary>
/// A farm on one Redis: an authority (the sample, its tokens and grants in Redis) and two resource servers that introspect
/// it and cache its answers in memory and in the same Redis. A revocation at the authority reaches every node's cache.
/// </summary>
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    private static Task<TestApp> ResourceServerAsync(Uri authority, RedisServer redis) => TestApp.StartAsync(
        o =>
        {
            o.Introspection.Authority = authority.AbsoluteUri.TrimEnd('/');
            o.Introspection.ClientId = Seed.ResourceServer;
            o.Introspection.ClientSecret = Seed.ResourceSecret;
        },
        services: s =>
        {
            s.AddSingleton(TimeProvider.System);
            s.AddTokenAuthRedisCache(redis.ConnectionString);
        });

    private static async Task<HttpStatusCode> ProtectedAsync(TestApp app, string token)
    {
        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));
        return response.StatusCode;
    }

    [RedisFact]
    public async Task RevokedAtTheAuthority_RefusedByEveryResourceServerWithinASecond_ThoughTheyCachedIt()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var farm = new KestrelSampleFactory { Settings = [("ConnectionStrings:Redis", redis.ConnectionString)] };
        using var authorityClient = new HttpClient { BaseAddress = farm.Address };
        await using var first = await ResourceServerAsync(farm.Address, redis);
        await using var second = await ResourceServerAsync(farm.Address, redis);
        var token = await Seed.RfcTokenAsync(authorityClient, Seed.DemoClient, Seed.DemoSecret);

        // Both resource servers validate it and keep the answer (memory, and the shared Redis level).
        Assert.Equal(HttpStatusCode.OK, await ProtectedAsync(first, token));
        Assert.Equal(HttpStatusCode.OK, await ProtectedAsync(second, token));
        Assert.Equal(HttpStatusCode.OK, await ProtectedAsync(first, token));

        using var revoke = await authorityClient.PostAsync("/oauth/revoke", new FormUrlEncodedContent(
        [
            new("token", token), new("client_id", Seed.DemoClient), new("client_secret", Seed.DemoSecret),
        ]));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var revokedAt = Stopwatch.GetTimestamp();

        foreach (var node in new[] { first, second })
        {
            while (await ProtectedAsync(node, token) != HttpStatusCode.Unauthorized)
            {
                Assert.True(Stopwatch.GetElapsedTime(revokedAt) < TimeSpan.FromSeconds(1), "a resource server still accepted the revoked token after 1 s");
                await Task.Delay(10);
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(revokedAt);
        output.WriteLine($"refused by both resource servers {elapsed.TotalMilliseconds:F0} ms after the revocation answered");
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"{elapsed.TotalMilliseconds:F0} ms");
    }
}
