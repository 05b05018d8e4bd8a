using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth.Tests.Infrastructure;

/// <summary>
/// A real ASP.NET Core pipeline on TestServer with TokenAuth as the default scheme, a fake clock, and
/// every log line captured. Endpoints: <c>/protected</c> (GET/POST, any valid token), <c>/anonymous</c>,
/// <c>/scoped</c> (scope <c>write</c>). Each answers the principal as JSON.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestApp(WebApplication app, FakeTimeProvider time, LogSink logs)
    {
        _app = app;
        Time = time;
        Logs = logs;
        Client = app.GetTestClient();
    }

    /// <summary>The clock every component of the app reads.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>Every log line the app wrote.</summary>
    public LogSink Logs { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public ITokenStore Store => Services.GetRequiredService<ITokenStore>();

    public static DateTimeOffset Start { get; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Starts an app whose TokenAuth scheme is configured by <paramref name="configure"/> (store validation when null).</summary>
    public static async Task<TestApp> StartAsync(
        Action<TokenAuthOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? map = null,
        Action<WebApplicationBuilder>? host = null,
        string? environment = null,
        FakeTimeProvider? time = null)
    {
        // environment: the host's IHostEnvironment name ("Development", "Production"); the runtime's default when null.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        // Only what a test gives: the sample's appsettings.json is copied next to the tests and must not leak in.
        builder.Configuration.Sources.Clear();
        host?.Invoke(builder);
        var logs = new LogSink();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        // time: a clock shared with another app (an authorization server in its own host); a new one at Start when null.
        time ??= new FakeTimeProvider(Start);
        builder.Services.AddSingleton<TimeProvider>(time);
        services?.Invoke(builder.Services);
        builder.Services.AddTokenAuth(configure ?? (o => o.UseTokenStore = true));
        builder.Services.AddAuthorization();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapMethods("/protected", [HttpMethods.Get, HttpMethods.Post], Describe).RequireAuthorization();
        app.MapGet("/anonymous", Describe).AllowAnonymous();
        app.MapGet("/scoped", Describe).RequireAuthorization(p => p.RequireScope("write"));
        map?.Invoke(app);
        await app.StartAsync();
        return new TestApp(app, time, logs);
    }

    /// <summary>Saves a token for <paramref name="info"/> (one hour, scopes read/write by default) and returns it.</summary>
    public async Task<string> IssueAsync(TokenInfo? info = null)
    {
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        info ??= new TokenInfo { Subject = "user-1", ClientId = "client-1", Scopes = ["read", "write"] };
        info = info with { IssuedAt = info.IssuedAt ?? Time.GetUtcNow(), ExpiresAt = info.ExpiresAt ?? Time.GetUtcNow().AddHours(1) };
        await Store.SaveAsync(TokenHash.Compute(token), info);
        return token;
    }

    public static HttpRequestMessage Get(string path, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static IResult Describe(HttpContext context)
    {
        var feature = context.Features.Get<ITokenAuthFeature>();
        return Results.Json(new
        {
            authenticated = context.User.Identity?.IsAuthenticated ?? false,
            sub = context.User.FindFirst(TokenAuthClaimTypes.Subject)?.Value,
            clientId = context.User.FindFirst(TokenAuthClaimTypes.ClientId)?.Value,
            scopes = context.User.FindAll(TokenAuthClaimTypes.Scope).Select(c => c.Value).ToArray(),
            roles = context.User.FindAll(TokenAuthClaimTypes.Role).Select(c => c.Value).ToArray(),
            source = feature?.Source.ToString(),
        });
    }
}
