using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Server.TokenServerApp;

namespace TokenAuth.Tests.Server;

/// <summary>
/// Client authentication beyond RFC 6749 §2.3: generated secrets verified by SHA-256, failures throttled per client
/// and address (429 + Retry-After in the profile's shape), and every failure answered in the same time.
/// </summary>
public sealed class ClientAuthenticationTests
{
    private static readonly string GeneratedSecret = ClientSecretHasher.GenerateSecret();

    private static Task<TestApp> StartAsync(Action<TokenServerOptions>? server = null, Action<IServiceCollection>? services = null)
        => TokenServerApp.StartAsync(
            o =>
            {
                o.Clients.Add(new TokenClient { ClientId = "generated", ClientSecretHashes = [ClientSecretHasher.HashGenerated(GeneratedSecret)], AllowedScopes = ["read"] });
                o.FailedAuthentication.PermitLimit = 3;
                o.FailedAuthentication.AddressPermitLimit = 5;
                server?.Invoke(o);
            },
            services: services);

    private static HttpRequestMessage From(HttpRequestMessage request, string address)
    {
        request.Headers.Add(ClientAddressHeader, address);
        return request;
    }

    private static async Task<HttpStatusCode> StatusAsync(TestApp app, HttpRequestMessage request)
    {
        using (request)
        using (var response = await app.Client.SendAsync(request))
        {
            return response.StatusCode;
        }
    }

    [Fact]
    public async Task ClientCredentials_GeneratedSecret_AuthenticatesWithItsSha256Hash()
    {
        await using var app = await StartAsync();

        var token = await GetTokenAsync(app, "generated", GeneratedSecret);

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, ClientCredentials("generated", GeneratedSecret[..^1])));
    }

    [Fact]
    public async Task FailedSecrets_OverThePermitLimit_Answer429WithRetryAfter_EvenForTheRightSecret()
    {
        await using var app = await StartAsync();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, From(ClientCredentials(ClientId, "wrong"), "192.0.2.1")));
        }

        using var request = From(ClientCredentials(), "192.0.2.1");
        using var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var json = await ReadJsonAsync(response);
        Assert.Equal(OAuthErrors.TemporarilyUnavailable, json.GetProperty("error").GetString());
        // 3 permits per minute come back one at a time: 20 s apart.
        Assert.Equal(TimeSpan.FromSeconds(20), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task FailedSecrets_FromOneAddress_DoNotLockTheClientOutElsewhere()
    {
        await using var app = await StartAsync();

        for (var i = 0; i < 4; i++)
        {
            await StatusAsync(app, From(ClientCredentials(ClientId, "wrong"), "192.0.2.66"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(app, From(ClientCredentials(), "192.0.2.66")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, From(ClientCredentials(), "198.51.100.7")));
        // IPv6 addresses count by /64: another host of the attacker's prefix is throttled too, another prefix is not.
        for (var i = 0; i < 3; i++)
        {
            await StatusAsync(app, From(ClientCredentials(ClientId, "wrong"), "2001:db8:1:2::1"));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(app, From(ClientCredentials(), "2001:db8:1:2::ffff")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, From(ClientCredentials(), "2001:db8:1:3::1")));
    }

    [Fact]
    public async Task Successes_SpendNoPermits()
    {
        await using var app = await StartAsync();

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, From(ClientCredentials(), "192.0.2.2")));
        }
    }

    [Fact]
    public async Task FailedSecrets_SprayedOverManyClientIds_AreThrottledPerAddress()
    {
        await using var app = await StartAsync();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, From(ClientCredentials("nobody-" + i, "guess"), "192.0.2.3")));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(app, From(ClientCredentials("nobody-else", "guess"), "192.0.2.3")));
    }

    [Fact]
    public async Task PasswordGrant_FailedPasswords_ThrottledPerUserAndAddress_SameAnswerForUnknownUsers()
    {
        await using var app = await TokenServerApp.StartAsync(
            o =>
            {
                o.Clients.Add(Client("pw", "pw-secret", ["read"], GrantTypes.Password));
                o.FailedAuthentication.PermitLimit = 3;
            },
            users: new TestUserStore());
        HttpRequestMessage Password(string user, string password, string address)
            => From(TokenRequest(("grant_type", "password"), ("username", user), ("password", password), ("client_id", "pw"), ("client_secret", "pw-secret")), address);

        var wrong = await ReadJsonAsync(await app.Client.SendAsync(Password(TestUserStore.Alice, "wrong", "192.0.2.9")));
        var unknown = await ReadJsonAsync(await app.Client.SendAsync(Password("nobody", "wrong", "192.0.2.9")));
        // "ALICE" is alice to the throttle: case does not buy more guesses.
        await app.Client.SendAsync(Password("ALICE", "wrong", "192.0.2.9"));
        await app.Client.SendAsync(Password(TestUserStore.Alice, "wrong", "192.0.2.9"));

        Assert.Equal(wrong.ToString(), unknown.ToString());
        Assert.Equal(OAuthErrors.InvalidGrant, wrong.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(app, Password(TestUserStore.Alice, TestUserStore.AlicePassword, "192.0.2.9")));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, Password(TestUserStore.Alice, TestUserStore.AlicePassword, "198.51.100.9")));
    }

    [Fact]
    public async Task Throttled_OnAnEnvelopeProfile_AnswersInTheEnvelope()
    {
        await using var app = await StartAsync(o => o.Profiles.Add(TokenServerProfiles.CodeMessageEnvelopeToken("/credential")));

        for (var i = 0; i < 3; i++)
        {
            await StatusAsync(app, From(new HttpRequestMessage(HttpMethod.Post, $"/credential?clientId={ClientId}&secret=wrong"), "192.0.2.4"));
        }

        using var request = From(new HttpRequestMessage(HttpMethod.Post, $"/credential?clientId={ClientId}&secret={ClientSecret}"), "192.0.2.4");
        using var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var json = await ReadJsonAsync(response);
        Assert.Equal(429, json.GetProperty("code").GetInt32());
        Assert.False(json.GetProperty("ok").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("data").ValueKind);
    }

    [Fact]
    public async Task FailedAuthentications_UnknownClientWrongSecretAndEveryHashFormat_TakeTheSameTime()
    {
        var minimum = TimeSpan.FromMilliseconds(150);
        var pbkdf2 = new TokenClient { ClientId = "pbkdf2", ClientSecretHashes = [ClientSecretHasher.Hash("human secret")], AllowedScopes = ["read"] };
        var sha256 = new TokenClient { ClientId = "sha256", ClientSecretHashes = [ClientSecretHasher.HashGenerated(GeneratedSecret)], AllowedScopes = ["read"] };
        var unknownFormat = new TokenClient { ClientId = "md5", ClientSecretHashes = ["MD5$AAAAAAAAAAAAAAAAAAAAAA=="], AllowedScopes = ["read"] };
        await using var app = await StartAsync(
            o =>
            {
                o.FailedAuthentication.MinimumDuration = minimum;
                o.FailedAuthentication.PermitLimit = 1000;
                o.FailedAuthentication.AddressPermitLimit = 1000;
            },
            s => s.AddSingleton<IClientStore>(new FixedClientStore(pbkdf2, sha256, unknownFormat)));

        string[] cases = ["unknown", "pbkdf2", "sha256", "md5"];
        var times = cases.ToDictionary(c => c, _ => new List<double>());
        for (var round = 0; round < 7; round++)
        {
            // Interleaved, so that a noisy neighbour slows every case alike.
            foreach (var clientId in cases)
            {
                var started = Stopwatch.GetTimestamp();
                Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, ClientCredentials(clientId, "a wrong secret")));
                times[clientId].Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        var medians = times.ToDictionary(t => t.Key, t => t.Value.Order().ElementAt(t.Value.Count / 2));
        var report = string.Join(", ", medians.Select(m => $"{m.Key} {m.Value:F0} ms"));
        Assert.All(medians.Values, m => Assert.True(m >= minimum.TotalMilliseconds, report));
        Assert.True(medians.Values.Max() - medians.Values.Min() < 40, $"medians differ by more than 40 ms: {report}");

        // The right secret is not held back: the delay is for failures only.
        var success = Stopwatch.GetTimestamp();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, ClientCredentials("sha256", GeneratedSecret)));
        Assert.True(Stopwatch.GetElapsedTime(success) < minimum, "a successful SHA-256 authentication waited for the failure delay");
    }

    private sealed class FixedClientStore(params TokenClient[] clients) : IClientStore
    {
        public ValueTask<TokenClient?> FindByIdAsync(string clientId, CancellationToken cancellationToken)
            => ValueTask.FromResult(clients.FirstOrDefault(c => c.ClientId == clientId));
    }
}
