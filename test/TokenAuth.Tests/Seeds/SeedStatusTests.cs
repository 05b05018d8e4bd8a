using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenAuth.Server;

namespace TokenAuth.Tests.Seeds;

/// <summary>
/// The sample with a token store that is down, and failed authentications that cost no waiting: every seed's route
/// answers a 503 (store down) or a 429 (throttled) with <c>Retry-After</c>, in that seed's own error shape.
/// </summary>
public sealed class FailingSampleFactory : SampleFactory
{
    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<ITokenStore, DownTokenStore>();
        services.PostConfigure<TokenServerOptions>(o =>
        {
            // No waiting on failures, and permits that come back one per six minutes: a spent client stays throttled.
            o.FailedAuthentication.MinimumDuration = TimeSpan.Zero;
            o.FailedAuthentication.Window = TimeSpan.FromHours(1);
        });
    }

    private sealed class DownTokenStore : ITokenStore
    {
        public Task SaveAsync(TokenHash hash, TokenInfo info, CancellationToken cancellationToken = default) => throw Down();

        public Task<TokenInfo?> FindAsync(TokenHash hash, CancellationToken cancellationToken = default) => throw Down();

        public Task RemoveAsync(TokenHash hash, CancellationToken cancellationToken = default) => throw Down();

        private static TimeoutException Down() => new("The token store does not answer.");
    }
}

public sealed class SeedStatusTests(FailingSampleFactory factory) : IClassFixture<FailingSampleFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string> Routes => ["000", "001", "002", "003", "004"];

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task TokenRoute_StoreDown_Answers503WithRetryAfterInTheSeedsShape(string seed)
    {
        using var response = await _client.SendAsync(TokenRequest(seed, Seed.DemoClient, Seed.DemoSecret));

        await AssertErrorAsync(seed, response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task TokenRoute_ClientThrottled_Answers429WithRetryAfterInTheSeedsShape(string seed)
    {
        await ThrottleServiceClientAsync();

        using var response = await _client.SendAsync(TokenRequest(seed, Seed.ServiceClient, Seed.ServiceSecret));

        await AssertErrorAsync(seed, response, HttpStatusCode.TooManyRequests, "temporarily_unavailable");
    }

    [Fact]
    public async Task TokenRoute_ThrottledClientAMomentLater_StillAnswers429()
    {
        await ThrottleServiceClientAsync();

        // The limiter refills its buckets every 100 ms by a fraction of a permit (here 1/3600 a second): not a whole one.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        using var response = await _client.SendAsync(TokenRequest("000", Seed.ServiceClient, Seed.ServiceSecret));

        await AssertErrorAsync("000", response, HttpStatusCode.TooManyRequests, "temporarily_unavailable");
    }

    [Theory]
    [InlineData("check")]
    [InlineData("revoke")]
    public async Task Seed001CheckAndRevoke_StoreDown_Answer503(string endpoint)
    {
        using var response = await _client.GetAsync(new Uri($"/api/oauth2/server/tokens/{endpoint}?token=abc", UriKind.Relative));

        await AssertErrorAsync(endpoint == "check" ? "001" : "001-revoke", response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
    }

    [Theory]
    [InlineData("Authorization", "Bearer abc")]
    [InlineData("Access-Token", "abc")]
    public async Task Me_StoreDown_Answers503NotA401(string header, string value)
    {
        using var response = await _client.SendAsync(Seed.Request(HttpMethod.Get, "/api/me", (header, value)));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
    }

    /// <summary>Ten wrong secrets spend service-client's permits (the first call; later ones find it spent): then even the right secret waits.</summary>
    private async Task ThrottleServiceClientAsync()
    {
        for (var attempt = 0; attempt <= 10; attempt++)
        {
            using var wrong = await _client.SendAsync(TokenRequest("000", Seed.ServiceClient, "wrong"));
            if (wrong.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return;
            }

            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        Assert.Fail("ten failed secrets did not throttle the client");
    }

    /// <summary>Each seed's documented token request for a client_credentials token.</summary>
    private static HttpRequestMessage TokenRequest(string seed, string clientId, string secret)
    {
        switch (seed)
        {
            case "000":
                return new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
                {
                    Content = Seed.Form(("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", secret)),
                };
            case "001":
                return Seed.Request(HttpMethod.Get, $"/api/oauth2/server/tokens?grant_type=client_credentials&client_id={clientId}&client_secret={secret}", ("Accept", "application/json"));
            case "002":
                return new HttpRequestMessage(HttpMethod.Post, "/oauth2/token/")
                {
                    Content = Seed.Json($$"""{"clientId":"{{clientId}}","clientSecret":"{{secret}}","grantType":"client_credentials"}"""),
                };
            case "003":
                var request = new HttpRequestMessage(HttpMethod.Post, "/api-uaa/oauth/token?grant_type=client_credentials");
                request.Headers.Authorization = Seed.Basic(clientId, secret);
                return request;
            default:
                return Seed.Request(HttpMethod.Post, $"/openapi/auth/credential?clientId={clientId}&secret={secret}&userType=2", ("Request-Id", "req-status"));
        }
    }

    private static async Task AssertErrorAsync(string seed, HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var json = await Seed.JsonAsync(response, status);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After");
        switch (seed)
        {
            case "000" or "001":
                Seed.AssertOAuthError(json, error);
                break;
            case "002":
                Seed.AssertOAuthError(json, error, "errorDescription");
                break;
            case "001-revoke":
                Assert.Equal((int)status, json.GetProperty("code").GetInt32());
                Assert.Equal(error, json.GetProperty("error").GetString());
                break;
            case "003":
                Assert.Equal((int)status, json.GetProperty("resp_code").GetInt32());
                Assert.Equal(error, json.GetProperty("error").GetString());
                Assert.Equal(JsonValueKind.Null, json.GetProperty("datas").ValueKind);
                break;
            default:
                Assert.Equal((int)status, json.GetProperty("code").GetInt32());
                Assert.Equal(error, json.GetProperty("error").GetString());
                Assert.Equal("req-status", json.GetProperty("trackId").GetString());
                Assert.Equal(JsonValueKind.Null, json.GetProperty("data").ValueKind);
                Assert.False(json.GetProperty("ok").GetBoolean());
                Assert.Equal("FAILURE", json.GetProperty("_status").GetString());
                break;
        }

        Assert.False(Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()).Contains("Exception", StringComparison.Ordinal));
    }
}
