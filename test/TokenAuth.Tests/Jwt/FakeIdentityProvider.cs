using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth.Tests.Jwt;

/// <summary>
/// A minimal OpenID provider on TestServer: <c>/.well-known/openid-configuration</c> and a <c>/jwks</c> whose key set
/// can be switched at run time (key rotation) or made to fail with a 500. It counts the requests it serves.
/// </summary>
internal sealed class FakeIdentityProvider : IAsyncDisposable
{
    public const string Authority = "https://idp.test";

    private readonly WebApplication _app;
    private volatile object _keys = new { keys = Array.Empty<object>() };
    private int _discoveryRequests;
    private int _jwksRequests;

    private FakeIdentityProvider(WebApplication app) => _app = app;

    /// <summary>When set, both endpoints answer 500.</summary>
    public bool Failing { get; set; }

    private volatile TaskCompletionSource? _hang;

    /// <summary>From now on both endpoints hold every request until <see cref="Release"/> (a hung authority).</summary>
    public void Hang() => _hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets held requests, and later ones, through.</summary>
    public void Release() => Interlocked.Exchange(ref _hang, null)?.TrySetResult();

    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    public static async Task<FakeIdentityProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var idp = new FakeIdentityProvider(app);
        app.MapGet("/.well-known/openid-configuration", async () =>
        {
            Interlocked.Increment(ref idp._discoveryRequests);
            await (idp._hang?.Task ?? Task.CompletedTask);
            return idp.Failing
                ? Results.StatusCode(StatusCodes.Status500InternalServerError)
                : Results.Json(new { issuer = Authority, jwks_uri = Authority + "/jwks" });
        });
        app.MapGet("/jwks", async () =>
        {
            Interlocked.Increment(ref idp._jwksRequests);
            await (idp._hang?.Task ?? Task.CompletedTask);
            return idp.Failing ? Results.StatusCode(StatusCodes.Status500InternalServerError) : Results.Json(idp._keys);
        });
        await app.StartAsync();
        return idp;
    }

    /// <summary>A handler that reaches this provider, for <see cref="JwtValidationOptions.BackchannelHttpHandler"/>.</summary>
    public HttpMessageHandler CreateHandler() => _app.GetTestServer().CreateHandler();

    /// <summary>Publishes exactly <paramref name="keys"/> (their public halves) as the JWKS.</summary>
    public void Publish(params RsaSecurityKey[] keys)
        => _keys = new
        {
            keys = keys.Select(k =>
            {
                var p = k.Rsa.ExportParameters(includePrivateParameters: false);
                return new { kty = "RSA", use = "sig", alg = "RS256", kid = k.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) };
            }).ToArray(),
        };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A backchannel whose every request fails as if the network were down.</summary>
internal sealed class UnreachableHandler : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => throw new HttpRequestException("No route to host (test).");
}
