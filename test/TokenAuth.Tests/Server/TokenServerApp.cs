using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Server;

/// <summary>
/// A <see cref="TestApp"/> (TestServer, fake clock, captured logs, <c>/protected</c> and friends) with the token
/// server mapped at <c>/oauth/token</c> and a few clients whose secrets are hashed with 1000 iterations (fast).
/// </summary>
public static class TokenServerApp
{
    public const int Iterations = 1000;

    /// <summary>The default client: read and write, client_credentials.</summary>
    public const string ClientId = "c1";
    public const string ClientSecret = "s1";

    /// <summary>A client whose id and secret need form-urlencoding inside a Basic header (RFC 6749 §2.3.1).</summary>
    public const string OddClientId = "odd client:1";
    public const string OddClientSecret = "p@ss:w rd+";

    /// <summary>A client that may only use refresh_token, not client_credentials.</summary>
    public const string RefreshOnlyClientId = "refresh-only";
    public const string RefreshOnlyClientSecret = "refresh-only-secret";

    public static TokenClient Client(string id, string secret, string[] scopes, params string[] grantTypes) => new()
    {
        ClientId = id,
        ClientSecretHashes = [ClientSecretHasher.Hash(secret, Iterations)],
        AllowedScopes = scopes,
        AllowedGrantTypes = grantTypes.Length > 0 ? grantTypes : [GrantTypes.ClientCredentials],
    };

    /// <summary>
    /// Starts the app. <paramref name="server"/> runs after the default clients are added; <paramref name="users"/> signs
    /// users in (password grant, authorization endpoint); <paramref name="environment"/> names the host environment.
    /// </summary>
    public static Task<TestApp> StartAsync(
        Action<TokenServerOptions>? server = null,
        Action<TokenAuthOptions>? scheme = null,
        Action<IServiceCollection>? services = null,
        ITokenUserStore? users = null,
        string? environment = null)
        => TestApp.StartAsync(
            scheme,
            s =>
            {
                // Registered before AddTokenAuth/AddTokenAuthServer so that a test's own ITokenStore wins (TryAdd).
                services?.Invoke(s);
                if (users is not null)
                {
                    s.AddSingleton(users);
                }

                s.AddTokenAuthServer(o =>
                {
                    // Tests that measure the minimum duration of failures set it back; the others need no wait.
                    o.FailedAuthentication.MinimumDuration = TimeSpan.FromMilliseconds(1);
                    o.Clients.Add(Client(ClientId, ClientSecret, ["read", "write"], GrantTypes.ClientCredentials));
                    o.Clients.Add(Client(OddClientId, OddClientSecret, ["read"]));
                    o.Clients.Add(Client(RefreshOnlyClientId, RefreshOnlyClientSecret, ["read"], GrantTypes.RefreshToken));
                    server?.Invoke(o);
                });
            },
            app =>
            {
                // TestServer has no remote address; a test names one with this header (throttling is per address).
                app.Use((context, next) =>
                {
                    if (IPAddress.TryParse(context.Request.Headers[ClientAddressHeader].ToString(), out var address))
                    {
                        context.Connection.RemoteIpAddress = address;
                    }

                    return next(context);
                });
                app.MapTokenAuthServer();
            },
            environment: environment);

    /// <summary>The request header that sets the remote address the server sees.</summary>
    public const string ClientAddressHeader = "X-Test-Remote-Address";

    /// <summary>A POST to the token endpoint with a form body made of <paramref name="fields"/> (repeats allowed).</summary>
    public static HttpRequestMessage TokenRequest(params (string Name, string Value)[] fields) => new(HttpMethod.Post, "/oauth/token")
    {
        Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
    };

    /// <summary>A client_credentials request with client_id and client_secret in the body.</summary>
    public static HttpRequestMessage ClientCredentials(string clientId = ClientId, string clientSecret = ClientSecret, string? scope = null)
        => scope is null
            ? TokenRequest(("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", clientSecret))
            : TokenRequest(("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", clientSecret), ("scope", scope));

    /// <summary>RFC 6749 §2.3.1: <c>Basic base64(urlencode(id) ":" urlencode(secret))</c>.</summary>
    public static AuthenticationHeaderValue Basic(string clientId, string clientSecret)
    {
        // WebUtility.UrlEncode is application/x-www-form-urlencoded: space becomes '+', '+' becomes %2B.
        var pair = $"{WebUtility.UrlEncode(clientId)}:{WebUtility.UrlEncode(clientSecret)}";
        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>The text (message and values) of the one log line of event <paramref name="eventName"/>, asserting there is exactly one.</summary>
    public static string SingleLog(TestApp app, string eventName) => Assert.Single(app.Logs.Entries, e => e.EventId.Name == eventName).Text;

    /// <summary>Gets a token for the default client and returns it (asserting success).</summary>
    public static async Task<string> GetTokenAsync(TestApp app, string clientId = ClientId, string clientSecret = ClientSecret, string? scope = null)
    {
        using var request = ClientCredentials(clientId, clientSecret, scope);
        using var response = await app.Client.SendAsync(request);
        var json = await ReadJsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, $"token request failed: {(int)response.StatusCode} {json}");
        return json.GetProperty("access_token").GetString()!;
    }
}
