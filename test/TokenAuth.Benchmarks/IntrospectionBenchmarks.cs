using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenAuth;

namespace TokenAuth.Benchmarks;

/// <summary>
/// Introspection through a real pipeline (TestServer), against an in-process RFC 7662 endpoint (another TestServer):
/// a token whose answer is in the memory cache, and the same request with the cache off (one introspection each); beside
/// them an opaque token in the in-memory store, the cheapest lookup there is. Baseline: the same endpoint anonymous.
/// </summary>
[MemoryDiagnoser]
public class IntrospectionBenchmarks
{
    private WebApplication _authority = null!;
    private WebApplication _cached = null!;
    private WebApplication _uncached = null!;
    private HttpClient _cachedClient = null!;
    private HttpClient _uncachedClient = null!;
    private WebApplication _store = null!;
    private HttpClient _storeClient = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var authority = WebApplication.CreateSlimBuilder();
        authority.WebHost.UseTestServer();
        authority.Logging.ClearProviders();
        _authority = authority.Build();
        var exp = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();
        _authority.MapPost("/introspect", () => Results.Text($$"""{"active":true,"sub":"u","client_id":"c","scope":"read write","exp":{{exp}}}""", "application/json"));
        await _authority.StartAsync();

        _cached = await ResourceServerAsync(TimeSpan.FromMinutes(5));
        _uncached = await ResourceServerAsync(TimeSpan.Zero);
        _cachedClient = _cached.GetTestClient();
        _uncachedClient = _uncached.GetTestClient();
        await Send(_cachedClient);   // warm the cache

        var store = WebApplication.CreateSlimBuilder();
        store.WebHost.UseTestServer();
        store.Logging.ClearProviders();
        store.Services.AddTokenAuth(o => o.UseTokenStore = true);
        _store = store.Build();
        _store.MapGet("/protected", () => "ok").RequireAuthorization();
        await _store.StartAsync();
        await _store.Services.GetRequiredService<ITokenStore>().SaveAsync(
            TokenHash.Compute(Token), new TokenInfo { Subject = "u", Scopes = ["read", "write"], ExpiresAt = DateTimeOffset.UtcNow.AddDays(1) });
        _storeClient = _store.GetTestClient();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _cachedClient.Dispose();
        _uncachedClient.Dispose();
        _storeClient.Dispose();
        await _store.DisposeAsync();
        await _cached.DisposeAsync();
        await _uncached.DisposeAsync();
        await _authority.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public Task<HttpResponseMessage> Anonymous_Baseline() => _cachedClient.GetAsync("/anonymous");

    [Benchmark]
    public Task<HttpResponseMessage> Introspection_MemoryCacheHit() => Send(_cachedClient);

    [Benchmark]
    public Task<HttpResponseMessage> Introspection_Uncached() => Send(_uncachedClient);

    [Benchmark]
    public Task<HttpResponseMessage> OpaqueToken_InMemoryStore() => Send(_storeClient);

    private async Task<WebApplication> ResourceServerAsync(TimeSpan cacheDuration)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddTokenAuth(o =>
        {
            o.Introspection.Endpoint = "http://127.0.0.1/introspect";   // answered in process by the authority's TestServer
            o.Introspection.CacheDuration = cacheDuration;
        });
        builder.Services.AddHttpClient(TokenAuthDefaults.IntrospectionHttpClientName + "." + TokenAuthDefaults.AuthenticationScheme)
            .ConfigurePrimaryHttpMessageHandler(() => _authority.GetTestServer().CreateHandler());
        var app = builder.Build();
        app.MapGet("/anonymous", () => "ok");
        app.MapGet("/protected", () => "ok").RequireAuthorization();
        await app.StartAsync();
        return app;
    }

    private const string Token = "opaque-benchmark-token-0123456789";

    private static Task<HttpResponseMessage> Send(HttpClient client)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/protected");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client.SendAsync(request);
    }
}
