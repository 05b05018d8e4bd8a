using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Introspection;

/// <summary>
/// An authorization server on a real Kestrel socket (127.0.0.1): TokenAuth.Server's own RFC 7662 endpoint
/// (<c>/oauth/introspect</c>) and seed 001's check (<c>/check</c>), over a store the test fills directly. Every request to
/// them is counted and captured; a test can hold them at a gate, answer a fault instead, and serve metadata documents.
/// </summary>
public sealed class IntrospectionAuthority : IAsyncDisposable
{
    /// <summary>The resource server's client: may introspect every token. Its secret needs encoding in a Basic header.</summary>
    public const string ResourceClientId = "resource server";
    public const string ResourceClientSecret = "s3cret:+/ %";

    /// <summary>An ordinary client, whose tokens the tests issue; it may also get refresh tokens.</summary>
    public const string AppClientId = "app";
    public const string AppClientSecret = "app-secret";

    private readonly WebApplication _app;
    private int _calls;
    private int _discoveryCalls;

    private IntrospectionAuthority(WebApplication app, FakeTimeProvider time)
    {
        _app = app;
        Time = time;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        Address = new Uri(addresses.Addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    public FakeTimeProvider Time { get; }

    /// <summary><c>http://127.0.0.1:port/</c>, the issuer identifier of the metadata documents.</summary>
    public Uri Address { get; }

    public string Issuer => Address.AbsoluteUri.TrimEnd('/');

    public string IntrospectionEndpoint => new Uri(Address, "oauth/introspect").AbsoluteUri;

    public string CheckEndpoint => new Uri(Address, "check").AbsoluteUri;

    /// <summary>Requests that reached an introspection route (RFC 7662, the check, a vendor route), faults included.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Requests for a metadata document.</summary>
    public int DiscoveryCalls => Volatile.Read(ref _discoveryCalls);

    /// <summary>Each introspection request as it arrived.</summary>
    public ConcurrentQueue<CapturedRequest> Requests { get; } = new();

    /// <summary>When set, introspection requests wait for it (after being counted) before anything else happens.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>When set, answers introspection requests instead of the server.</summary>
    public Func<HttpContext, Task>? Fault { get; set; }

    /// <summary>The RFC 8414 document at <c>/.well-known/oauth-authorization-server</c>; 404 while <see langword="null"/>.</summary>
    public string? AuthorizationServerMetadata { get; set; }

    /// <summary>The OpenID Connect document at <c>/.well-known/openid-configuration</c>; 404 while <see langword="null"/>.</summary>
    public string? OpenIdConfiguration { get; set; }

    /// <summary>A metadata document naming this server and <paramref name="introspectionEndpoint"/> (its own by default).</summary>
    public string Metadata(string? introspectionEndpoint = null, string? issuer = null)
        => $$"""{"issuer":"{{issuer ?? Issuer}}","token_endpoint":"{{new Uri(Address, "oauth/token")}}","introspection_endpoint":"{{introspectionEndpoint ?? IntrospectionEndpoint}}"}""";

    public ITokenStore Store => _app.Services.GetRequiredService<ITokenStore>();

    /// <summary>Starts the server; <paramref name="map"/> adds routes of a test's own (a vendor's check).</summary>
    public static async Task<IntrospectionAuthority> StartAsync(FakeTimeProvider? time = null, Action<TokenServerOptions>? server = null, Action<WebApplication>? map = null)
    {
        time ??= new FakeTimeProvider(TestApp.Start);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddTokenAuth(o => o.UseTokenStore = true);
        builder.Services.AddTokenAuthServer(o =>
        {
            o.FailedAuthentication.MinimumDuration = TimeSpan.FromMilliseconds(1);
            o.Clients.Add(new TokenClient
            {
                ClientId = ResourceClientId,
                ClientSecretHashes = [ClientSecretHasher.Hash(ResourceClientSecret, 1000)],
                AllowedScopes = [],
                CanIntrospectAnyToken = true,
            });
            o.Clients.Add(new TokenClient
            {
                ClientId = AppClientId,
                ClientSecretHashes = [ClientSecretHasher.Hash(AppClientSecret, 1000)],
                AllowedScopes = ["read", "write"],
                AllowedGrantTypes = [GrantTypes.ClientCredentials, GrantTypes.RefreshToken],
            });
            o.Profiles.Add(TokenServerProfiles.QueryStringCheck("/check"));
            server?.Invoke(o);
        });

        var app = builder.Build();
        IntrospectionAuthority? authority = null;
        app.Use(async (context, next) =>
        {
            var self = authority!;
            var path = context.Request.Path.Value ?? string.Empty;
            if (path.StartsWith("/.well-known/", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref self._discoveryCalls);
                var document = path switch
                {
                    "/.well-known/oauth-authorization-server" => self.AuthorizationServerMetadata,
                    "/.well-known/openid-configuration" => self.OpenIdConfiguration,
                    _ => null,
                };
                if (document is null)
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }

                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(document);
                return;
            }

            if (path is "/oauth/introspect" or "/check" || path.StartsWith("/vendor", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref self._calls);
                context.Request.EnableBuffering();
                using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
                var body = await reader.ReadToEndAsync();
                context.Request.Body.Position = 0;
                self.Requests.Enqueue(new CapturedRequest(
                    context.Request.Method, path, context.Request.QueryString.Value ?? string.Empty,
                    context.Request.Headers.Authorization.ToString(), context.Request.ContentType, body));
                if (self.Gate is { } gate)
                {
                    await gate.Task;
                }

                if (self.Fault is { } fault)
                {
                    await fault(context);
                    return;
                }
            }

            await next(context);
        });
        app.MapTokenAuthServer();
        map?.Invoke(app);
        await app.StartAsync();
        authority = new IntrospectionAuthority(app, time);
        return authority;
    }

    /// <summary>Saves a token for <paramref name="info"/> (one hour, scopes read/write, client <see cref="AppClientId"/> by default).</summary>
    public async Task<string> IssueAsync(TokenInfo? info = null)
    {
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        info ??= new TokenInfo { Subject = "user-1", ClientId = AppClientId, Scopes = ["read", "write"] };
        info = info with { IssuedAt = info.IssuedAt ?? Time.GetUtcNow(), ExpiresAt = info.ExpiresAt ?? Time.GetUtcNow().AddHours(1) };
        await Store.SaveAsync(TokenHash.Compute(token), info);
        return token;
    }

    /// <summary>An access and a refresh token for <see cref="AppClientId"/>, from the server's own token endpoint.</summary>
    public async Task<(string Access, string Refresh)> GrantAsync()
    {
        using var client = new HttpClient { BaseAddress = Address };
        using var response = await client.PostAsync("oauth/token", new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"), new("client_id", AppClientId), new("client_secret", AppClientSecret),
        ]));
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (json.RootElement.GetProperty("access_token").GetString()!, json.RootElement.GetProperty("refresh_token").GetString()!);
    }

    /// <summary>Withdraws a token at the source, as a revocation does.</summary>
    public Task RevokeAsync(string token) => Store.RemoveAsync(TokenHash.Compute(token));

    /// <summary>Stops listening: the authority is unreachable (connections refused) from now on.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Gate?.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A fault that answers <paramref name="status"/> with <paramref name="body"/> as <paramref name="contentType"/>.</summary>
    public static Func<HttpContext, Task> Answer(int status, string body, string contentType = "application/json")
        => async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body);
        };
}

/// <summary>An introspection request as the authority received it.</summary>
public sealed record CapturedRequest(string Method, string Path, string Query, string Authorization, string? ContentType, string Body);
