using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
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
/// <see cref="IAuthenticationService.AuthenticateAsync"/> on a prepared request in a fresh DI scope, as a real request
/// has it. Baseline: JwtBearer on an RS256 JWT. Against it: TokenAuth on the same JWT, TokenAuth with an introspection
/// answer in its memory cache, an opaque token in the in-memory store, and a request without a token. Every setup checks
/// that the request really authenticates: a benchmark of a refused token measures nothing.
/// </summary>
[MemoryDiagnoser]
public class AuthenticateBenchmarks
{
    private const string Issuer = "https://issuer.bench";
    private const string Audience = "api";
    private const string OpaqueToken = "opaque-benchmark-token-0123456789";

    private WebApplication _authority = null!;
    private ServiceProvider _services = null!;
    private string _jwt = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var rsa = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "bench" };
        _jwt = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new System.Security.Claims.ClaimsIdentity([new("sub", "user-1"), new("scope", "read write"), new("client_id", "c")]),
            Expires = DateTime.UtcNow.AddDays(1),
            SigningCredentials = new SigningCredentials(rsa, SecurityAlgorithms.RsaSha256),
        });

        var authority = WebApplication.CreateSlimBuilder();
        authority.WebHost.UseTestServer();
        authority.Logging.ClearProviders();
        _authority = authority.Build();
        var exp = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();
        _authority.MapPost("/introspect", () => Results.Text($$"""{"active":true,"sub":"user-1","client_id":"c","scope":"read write","exp":{{exp}}}""", "application/json"));
        await _authority.StartAsync();

        var services = new ServiceCollection().AddLogging();
        services.AddAuthentication()
            .AddJwtBearer("jwtbearer", o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters { ValidIssuer = Issuer, ValidAudience = Audience, IssuerSigningKey = rsa };
            })
            .AddTokenAuth("tokenauth-jwt", o =>
            {
                o.Jwt.TokenValidationParameters = new TokenValidationParameters { ValidIssuer = Issuer, ValidAudience = Audience, IssuerSigningKey = rsa };
            })
            .AddTokenAuth("tokenauth-introspection", o =>
            {
                o.Introspection.Endpoint = "http://127.0.0.1/introspect";   // answered in process by the authority's TestServer
            })
            .AddTokenAuth("tokenauth-store", o => o.UseTokenStore = true);
        services.AddHttpClient(TokenAuthDefaults.IntrospectionHttpClientName + ".tokenauth-introspection")
            .ConfigurePrimaryHttpMessageHandler(() => _authority.GetTestServer().CreateHandler());
        _services = services.BuildServiceProvider();
        await _services.GetRequiredService<ITokenStore>().SaveAsync(
            TokenHash.Compute(OpaqueToken), new TokenInfo { Subject = "user-1", ClientId = "c", Scopes = ["read", "write"], ExpiresAt = DateTimeOffset.UtcNow.AddDays(1) });

        // Each must authenticate (the introspection answer is then in memory), and the one without a token must not.
        foreach (var (scheme, token) in new[] { ("jwtbearer", _jwt), ("tokenauth-jwt", _jwt), ("tokenauth-introspection", OpaqueToken), ("tokenauth-store", OpaqueToken) })
        {
            var result = await AuthenticateAsync(scheme, token);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"{scheme} did not authenticate: {result.Failure?.Message}");
            }
        }

        if ((await AuthenticateAsync("tokenauth-store", null)).Succeeded)
        {
            throw new InvalidOperationException("A request without a token authenticated.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _services.DisposeAsync();
        await _authority.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public Task<AuthenticateResult> JwtBearer_Rs256() => AuthenticateAsync("jwtbearer", _jwt);

    [Benchmark]
    public Task<AuthenticateResult> TokenAuth_Jwt_Rs256() => AuthenticateAsync("tokenauth-jwt", _jwt);

    [Benchmark]
    public Task<AuthenticateResult> TokenAuth_Introspection_MemoryHit() => AuthenticateAsync("tokenauth-introspection", OpaqueToken);

    [Benchmark]
    public Task<AuthenticateResult> TokenAuth_Store_InMemory() => AuthenticateAsync("tokenauth-store", OpaqueToken);

    [Benchmark]
    public Task<AuthenticateResult> TokenAuth_NoToken() => AuthenticateAsync("tokenauth-store", null);

    private async Task<AuthenticateResult> AuthenticateAsync(string scheme, string? token)
    {
        await using var scope = _services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/api/me";
        if (token is not null)
        {
            context.Request.Headers.Authorization = "Bearer " + token;
        }

        return await context.RequestServices.GetRequiredService<IAuthenticationService>().AuthenticateAsync(context, scheme);
    }
}
