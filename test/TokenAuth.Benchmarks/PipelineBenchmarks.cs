using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenAuth;

namespace TokenAuth.Benchmarks;

/// <summary>
/// One request through a real ASP.NET Core pipeline (TestServer, in process). Baseline: the same endpoint
/// anonymous. The ratios show what authentication costs: a store lookup (in memory) and a local HS256 JWT.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private string _opaque = null!;
    private string _jwt = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var key = new SymmetricSecurityKey(Enumerable.Range(0, 64).Select(i => (byte)i).ToArray());
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddTokenAuth(o =>
        {
            o.UseTokenStore = true;
            o.Jwt.TokenValidationParameters = new TokenValidationParameters { IssuerSigningKey = key, ValidIssuer = "bench", ValidAudience = "api" };
        });
        builder.Services.AddAuthorization();
        _app = builder.Build();
        _app.MapGet("/anonymous", () => "ok");
        _app.MapGet("/protected", () => "ok").RequireAuthorization();
        await _app.StartAsync();
        _client = _app.GetTestClient();

        _opaque = Base64UrlEncoder.Encode(Guid.NewGuid().ToByteArray()) + Base64UrlEncoder.Encode(Guid.NewGuid().ToByteArray());
        var store = _app.Services.GetRequiredService<ITokenStore>();
        await store.SaveAsync(TokenHash.Compute(_opaque), new TokenInfo { Subject = "u", Scopes = ["read"], ExpiresAt = DateTimeOffset.UtcNow.AddDays(1) });
        _jwt = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "bench",
            Audience = "api",
            Claims = new Dictionary<string, object> { ["sub"] = "u", ["scope"] = "read" },
            Expires = DateTime.UtcNow.AddDays(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public Task<HttpResponseMessage> Anonymous_Baseline() => _client.GetAsync("/anonymous");

    [Benchmark]
    public Task<HttpResponseMessage> OpaqueToken_InMemoryStore() => Send(_opaque);

    [Benchmark]
    public Task<HttpResponseMessage> Jwt_HS256() => Send(_jwt);

    private Task<HttpResponseMessage> Send(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/protected");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return _client.SendAsync(request);
    }
}
