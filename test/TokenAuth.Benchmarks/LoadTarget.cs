using System.Net;
using System.Runtime;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenAuth;

namespace TokenAuth.Benchmarks;

/// <summary>
/// The app load.sh measures with wrk: Kestrel on a loopback address, logging at Warning, and one endpoint per scheme, each
/// requiring only its own scheme and all answering the same bytes (<c>ok user-0001</c>; <c>/anon</c> answers
/// <c>ok anonymous</c>, as long). No scheme is the default, so <c>/anon</c> runs no handler at all and every other endpoint
/// exactly one; <c>/floor</c> is a scheme that does nothing (<see cref="FloorAuthenticationHandler"/>), the framework's own
/// share. <c>/tokens</c> hands out what each endpoint needs; <c>/introspect</c> is the RFC 7662 authority the
/// introspection schemes ask (in this process, over loopback HTTP); <c>/stats</c> the process's allocations and collections.
/// </summary>
/// <remarks>
/// <c>--redis host:port</c> keeps the store and the validation cache's second level in Redis
/// (<c>AddTokenAuthRedisStore</c>). That is a registration for the whole process, as a host has it, which is why load.sh
/// runs a second instance for the Redis rows rather than mixing both in one.
/// </remarks>
internal static class LoadTarget
{
    private const string Issuer = "https://issuer.load";
    private const string Audience = "api";
    private const string Subject = "user-0001";

    /// <summary>The protected endpoints: the one scheme each requires, and which of the tokens it takes.</summary>
    private static readonly (string Path, string Scheme, TokenKind Token)[] Endpoints =
    [
        ("/floor", FloorAuthenticationHandler.SchemeName, TokenKind.Stored),
        ("/jwtbearer", "jwtbearer", TokenKind.Jwt),
        ("/tokenauth/jwt", "tokenauth-jwt", TokenKind.Jwt),
        ("/tokenauth/store", "tokenauth-store", TokenKind.Stored),
        ("/tokenauth/store/uncached", "tokenauth-store-uncached", TokenKind.Stored),
        ("/tokenauth/introspect", "tokenauth-introspect", TokenKind.Introspected),
        ("/tokenauth/introspect/uncached", "tokenauth-introspect-uncached", TokenKind.Introspected),
    ];

    private enum TokenKind
    {
        Jwt,
        Stored,
        Introspected,
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var urls = builder.Configuration["urls"] ?? "http://127.0.0.1:5199";
        // One plain-HTTP loopback address: a load test must never listen beyond this machine.
        if (!Uri.TryCreate(urls, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp
            || !IPAddress.TryParse(url.Host, out var address) || !IPAddress.IsLoopback(address))
        {
            await Console.Error.WriteLineAsync($"--urls must be one http://127.0.0.1:<port> (loopback only); it is {urls}");
            return 2;
        }

        builder.WebHost.UseUrls(url.GetLeftPart(UriPartial.Authority));
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        var redis = builder.Configuration["redis"];

        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "load" };
        TokenValidationParameters Parameters() => new() { ValidIssuer = Issuer, ValidAudience = Audience, IssuerSigningKey = key };
        var introspectionEndpoint = url.GetLeftPart(UriPartial.Authority) + "/introspect";

        // No default scheme: the authentication middleware then authenticates nothing, and each endpoint's policy runs
        // its one scheme — so /anon is the request without authentication and /jwtbearer is JwtBearer alone.
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, FloorAuthenticationHandler>(FloorAuthenticationHandler.SchemeName, null)
            .AddJwtBearer("jwtbearer", o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = Parameters();
            })
            .AddTokenAuth("tokenauth-jwt", o => o.Jwt.TokenValidationParameters = Parameters())
            .AddTokenAuth("tokenauth-store", o => o.UseTokenStore = true)
            // The store asked on every request; in memory that is the default already, with Redis one GET per request.
            .AddTokenAuth("tokenauth-store-uncached", o =>
            {
                o.UseTokenStore = true;
                o.StoreCacheDuration = TimeSpan.Zero;
            })
            .AddTokenAuth("tokenauth-introspect", o => o.Introspection.Endpoint = introspectionEndpoint)
            .AddTokenAuth("tokenauth-introspect-uncached", o =>
            {
                o.Introspection.Endpoint = introspectionEndpoint;
                o.Introspection.CacheDuration = TimeSpan.Zero;
                o.Introspection.InactiveCacheDuration = TimeSpan.Zero;
            });
        if (!string.IsNullOrEmpty(redis))
        {
            builder.Services.AddTokenAuthRedisStore(redis);
        }

        var app = builder.Build();

        var expires = DateTimeOffset.UtcNow.AddDays(1);
        var jwt = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new("sub", Subject), new("scope", "read write"), new("client_id", "load-client")]),
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
        // Fresh random tokens every run, shaped like the token server's (256 bits, base64url), so a shared Redis holds no stale ones.
        var storeToken = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var introspectedToken = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        await app.Services.GetRequiredService<ITokenStore>().SaveAsync(
            TokenHash.Compute(storeToken),
            new TokenInfo { Subject = Subject, ClientId = "load-client", Scopes = ["read", "write"], ExpiresAt = expires });

        var active = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["active"] = true,
            ["sub"] = Subject,
            ["client_id"] = "load-client",
            ["scope"] = "read write",
            ["exp"] = expires.ToUnixTimeSeconds(),
        });
        // RFC 7662 §2: the token in a form body; anything but the token handed out is inactive.
        app.MapPost("/introspect", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            return Results.Text(form["token"] == introspectedToken ? active : """{"active":false}""", "application/json");
        });

        // What load.sh sends to each endpoint, as {"/path": "token"}.
        var tokens = Endpoints.ToDictionary(e => e.Path, e => e.Token switch
        {
            TokenKind.Jwt => jwt,
            TokenKind.Stored => storeToken,
            _ => introspectedToken,
        });
        app.MapGet("/tokens", () => Results.Json(tokens));

        // Read by load.sh before and after each run: what the process allocated and collected, and its thread pool, as
        // "allocated-bytes gen0 gen1 gen2 gc-pause-µs thread-pool-threads".
        app.MapGet("/stats", () => FormattableString.Invariant(
            $"{GC.GetTotalAllocatedBytes()} {GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} {(long)GC.GetTotalPauseDuration().TotalMicroseconds} {ThreadPool.ThreadCount}"));

        app.MapGet("/anon", Body);
        foreach (var (path, scheme, _) in Endpoints)
        {
            app.MapGet(path, Body).RequireAuthorization(new AuthorizationPolicyBuilder(scheme).RequireAuthenticatedUser().Build());
        }

        await app.StartAsync();
        Console.WriteLine($"load target on {url.GetLeftPart(UriPartial.Authority)}: gc={(GCSettings.IsServerGC ? "server" : "workstation")}, " +
            $"store={(string.IsNullOrEmpty(redis) ? "memory" : "redis " + redis)}; tokens at /tokens");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static string Body(HttpContext context) => "ok " + (context.User.FindFirst("sub")?.Value ?? "anonymous");
}
