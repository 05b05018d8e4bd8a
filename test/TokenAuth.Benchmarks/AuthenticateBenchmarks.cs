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
/// has it. Baseline: JwtBearer on an RS256 JWT. Against it: TokenAuth on the same JWT (cold, and from its validated-token
/// cache), TokenAuth with an introspection answer in its memory cache, an opaque token in the in-memory store (plain, and
/// acting as another user in a tenant), and a request without a token. The Redis level is <see cref="RedisBenchmarks"/>. Every setup checks
/// that the request really authenticates: a benchmark of a refused token measures nothing.
/// </summary>
[MemoryDiagnoser]
public class AuthenticateBenchmarks
{
    private const string Issuer = "https://issuer.bench";
    private const string Audience = "api";
    private const string OpaqueToken = "opaque-benchmark-token-0123456789";
    private const string SudoToken = "sudo-benchmark-token-0123456789ab";

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
            .AddTokenAuth("tokenauth-jwt-cached", o =>
            {
                o.Jwt.TokenValidationParameters = new TokenValidationParameters { ValidIssuer = Issuer, ValidAudience = Audience, IssuerSigningKey = rsa };
                o.Jwt.CacheValidatedTokens = true;
            })
            .AddTokenAuth("tokenauth-store", o => { o.UseTokenStore = true; o.Sudo.Enabled = false; o.Tenants.Enabled = false; })
            .AddTokenAuth("tokenauth-store-cached", o =>
            {
                // As a Redis store has it by default: hits kept in memory 30 s, unknown tokens never kept.
                o.UseTokenStore = true;
                o.StoreCacheDuration = TimeSpan.FromSeconds(30);
                o.Sudo.Enabled = false;
                o.Tenants.Enabled = false;
            })
            .AddTokenAuth("tokenauth-sudo", o => o.UseTokenStore = true);
        services.AddTokenAuthSudo<BenchUsers>(ServiceLifetime.Singleton);
        services.AddTokenAuthTenants<BenchTenants>(ServiceLifetime.Singleton);
        services.AddHttpClient(TokenAuthDefaults.IntrospectionHttpClientName + ".tokenauth-introspection")
            .ConfigurePrimaryHttpMessageHandler(() => _authority.GetTestServer().CreateHandler());
        _services = services.BuildServiceProvider();
        await _services.GetRequiredService<ITokenStore>().SaveAsync(
            TokenHash.Compute(OpaqueToken), new TokenInfo { Subject = "user-1", ClientId = "c", Scopes = ["read", "write"], ExpiresAt = DateTimeOffset.UtcNow.AddDays(1) });
        await _services.GetRequiredService<ITokenStore>().SaveAsync(
            TokenHash.Compute(SudoToken), new TokenInfo { Subject = "admin", ClientId = "c", Scopes = ["read", "sudo"], ExpiresAt = DateTimeOffset.UtcNow.AddDays(1) });

        // Each must authenticate (the introspection answer is then in memory), and the one without a token must not.
        // A first introspection on a loaded machine can outlast the backchannel's one-second attempt (JIT, a cold
        // connection): failures are not cached, so a scenario gets three tries before it counts as broken.
        foreach (var scenario in Scenarios())
        {
            var result = await AuthenticateAsync(scenario.Scheme, Request(scenario.Token, scenario.Query));
            for (var attempt = 1; attempt < 3 && result.Succeeded != scenario.ShouldSucceed; attempt++)
            {
                result = await AuthenticateAsync(scenario.Scheme, Request(scenario.Token, scenario.Query));
            }

            if (result.Succeeded != scenario.ShouldSucceed || (scenario.Query is not null && result.Principal?.FindFirst("sub")?.Value != "1002"))
            {
                throw new InvalidOperationException($"{scenario.Name} did not answer as it must: {result.Failure?.Message ?? result.Principal?.FindFirst("sub")?.Value}");
            }
        }

        if ((await AuthenticateAsync("tokenauth-store", (string?)null)).Succeeded)
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
    public Task<AuthenticateResult> TokenAuth_Jwt_Rs256_Cached() => AuthenticateAsync("tokenauth-jwt-cached", _jwt);

    [Benchmark]
    public Task<AuthenticateResult> TokenAuth_Store_SudoAndTenant()
        => AuthenticateAsync("tokenauth-sudo", Request(SudoToken, "?sudo=uid:1002&tenantId=t-200"));

    [Benchmark]
    public Task<AuthenticateResult> TokenAuth_Introspection_MemoryHit() => AuthenticateAsync("tokenauth-introspection", OpaqueToken);

    [Benchmark]
    public Task<AuthenticateResult> TokenAuth_Store_InMemory() => AuthenticateAsync("tokenauth-store", OpaqueToken);

    [Benchmark]
    public Task<AuthenticateResult> TokenAuth_NoToken() => AuthenticateAsync("tokenauth-store", (string?)null);

    /// <summary>A scenario of the CPU-time mode: which scheme, which token, whether it must authenticate.</summary>
    internal sealed record Scenario(string Name, string Scheme, string? Token, bool ShouldSucceed, string? Query = null);

    /// <summary>The scenarios of the CPU-time mode, the same as the benchmarks of this class and a few more.</summary>
    internal IReadOnlyList<Scenario> Scenarios() =>
    [
        new("JwtBearer_Rs256", "jwtbearer", _jwt, true),
        new("TokenAuth_Jwt_Rs256", "tokenauth-jwt", _jwt, true),
        new("TokenAuth_Jwt_Rs256_Cached", "tokenauth-jwt-cached", _jwt, true),
        new("TokenAuth_Introspection_MemoryHit", "tokenauth-introspection", OpaqueToken, true),
        new("TokenAuth_Store_InMemory", "tokenauth-store", OpaqueToken, true),
        new("TokenAuth_Store_SudoAndTenant", "tokenauth-sudo", SudoToken, true, "?sudo=uid:1002&tenantId=t-200"),
        new("TokenAuth_Store_UnknownToken_Cached", "tokenauth-store-cached", "unknown-benchmark-token-0123456789", false),
        new("TokenAuth_NoToken", "tokenauth-store", null, false),
    ];

    /// <summary>The validator a TokenAuth scheme of this app runs.</summary>
    internal ITokenValidator Validator(string scheme)
        => _services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<TokenAuthOptions>>().Get(scheme).Validator!;

    /// <summary>A request as a server has it when authentication runs: method, path, the token in its header.</summary>
    internal static HttpContext Request(string? token, string? query = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/api/me";
        if (query is not null)
        {
            context.Request.QueryString = new QueryString(query);
        }

        if (token is not null)
        {
            context.Request.Headers.Authorization = "Bearer " + token;
        }

        return context;
    }

    /// <summary>Authenticates a prepared request in a fresh DI scope, as a real request is.</summary>
    internal async Task<AuthenticateResult> AuthenticateAsync(string scheme, HttpContext context)
    {
        await using var scope = _services.CreateAsyncScope();
        context.RequestServices = scope.ServiceProvider;
        return await context.RequestServices.GetRequiredService<IAuthenticationService>().AuthenticateAsync(context, scheme);
    }

    private Task<AuthenticateResult> AuthenticateAsync(string scheme, string? token) => AuthenticateAsync(scheme, Request(token));
}

/// <summary>Two users for the sudo scenario.</summary>
internal sealed class BenchUsers : ISudoUserStore
{
    private static readonly SudoUser Bob = new() { Id = "1002", LoginName = "bob", Name = "Bob", TenantId = "t-200" };

    public ValueTask<SudoUser?> FindUserAsync(SudoTarget target, TenantInfo? tenant, CancellationToken cancellationToken)
        => ValueTask.FromResult(target.Value == Bob.Id ? Bob : null);

    public ValueTask<bool> CanImpersonateAsync(System.Security.Claims.ClaimsPrincipal caller, SudoUser user, CancellationToken cancellationToken)
        => ValueTask.FromResult(true);
}

/// <summary>One tenant for the sudo scenario.</summary>
internal sealed class BenchTenants : ITenantStore
{
    private static readonly TenantInfo Globex = new("t-200", "globex");

    public ValueTask<TenantInfo?> FindByIdAsync(string id, CancellationToken cancellationToken) => ValueTask.FromResult(id == Globex.Id ? Globex : null);

    public ValueTask<TenantInfo?> FindByCodeAsync(string code, CancellationToken cancellationToken) => ValueTask.FromResult(code == Globex.Code ? Globex : null);
}
