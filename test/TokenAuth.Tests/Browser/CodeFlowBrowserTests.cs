using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Browser;

/// <summary>
/// The authorization code flow in a real browser: Debian's Chromium, headless, driven by Playwright, against the sample
/// app on a loopback Kestrel port — login page, consent page, the redirect to the demo clients' callback (nothing
/// listens there: the browser's request is answered by a route), then the exchange and a call to <c>/api/me</c>.
/// </summary>
[Collection(SharedBrowser.Name)]
public sealed class CodeFlowBrowserTests(CodeFlowBrowserTests.SampleInBrowser sample)
{
    private const string Callback = "http://127.0.0.1:8080/callback";

    [BrowserFact]
    public async Task DemoSpa_LoginConsentS256_RedirectsWithCodeThatExchangesForAliceToken()
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var (code, state) = await AuthorizeInBrowserAsync(
            $"/oauth/authorize?response_type=code&client_id=demo-spa&redirect_uri={Uri.EscapeDataString(Callback)}&scope=read&state=xyz&code_challenge={challenge}&code_challenge_method=S256",
            "Demo single-page app");

        Assert.Equal("xyz", state);
        using var exchange = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = Callback,
                ["client_id"] = "demo-spa",
                ["code_verifier"] = verifier,
            }),
        };
        await AssertTokenIsAliceAsync(exchange);
    }

    [BrowserFact]
    public async Task DemoClient_Seed003Flow_RedirectsWithCodeThatExchangesWithBasicAndNoVerifier()
    {
        var (code, state) = await AuthorizeInBrowserAsync(
            $"/api-uaa/oauth/authorize?client_id=demo-client&redirect_uri={Uri.EscapeDataString(Callback)}&response_type=code&scope=read&state=s003",
            "Demo client");

        Assert.Equal("s003", state);
        using var exchange = new HttpRequestMessage(HttpMethod.Post,
            $"/api-uaa/oauth/token?code={Uri.EscapeDataString(code)}&grant_type=authorization_code&redirect_uri={Uri.EscapeDataString(Callback)}&scope=read");
        exchange.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("demo-client:demo-secret"u8.ToArray()));
        var json = await AssertTokenIsAliceAsync(exchange);
        Assert.Equal("bearer", json.GetProperty("token_type").GetString());
        Assert.Equal(3599, json.GetProperty("expires_in").GetInt32());
    }

    /// <summary>Opens the authorization URL, signs in as alice, checks the consent page, allows, and answers the callback's code and state.</summary>
    private async Task<(string Code, string? State)> AuthorizeInBrowserAsync(string path, string clientName)
    {
        await using var context = await sample.Browser.NewContextAsync(new() { BaseURL = sample.BaseAddress.ToString() });
        context.SetDefaultTimeout(10_000);
        var page = await context.NewPageAsync();
        var callback = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        // The demo clients' callback: answered here, so that nothing needs to listen on port 8080.
        await context.RouteAsync(Callback + "**", async route =>
        {
            callback.TrySetResult(route.Request.Url);
            await route.FulfillAsync(new() { Status = 200, ContentType = "text/plain", Body = "callback reached" });
        });

        var login = await page.GotoAsync(path);
        Assert.Equal(200, login!.Status);
        Assert.Equal("Sign in", await page.TitleAsync());
        await page.FillAsync("#username", "alice");
        await page.FillAsync("#password", "alice-password");
        await page.ClickAsync("button[type=submit]");

        // The login's 303 lands on the consent page.
        await page.WaitForSelectorAsync("#client");
        Assert.Equal(clientName, await page.InnerTextAsync("#client"));
        Assert.Equal(["read"], await page.Locator("#scopes li").AllInnerTextsAsync());
        Assert.Equal("Alice (alice)", await page.InnerTextAsync("#user"));
        await page.ClickAsync("button[value=allow]");

        // Polling assertions, not WaitForURL: that one checks the URL, then waits for a navigation event, and can miss
        // a navigation that completes in between.
        var reached = await callback.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Assertions.Expect(page).ToHaveURLAsync(reached);
        await Assertions.Expect(page.Locator("body")).ToHaveTextAsync("callback reached");
        var query = QueryHelpers.ParseQuery(new Uri(reached).Query);
        return (query["code"].ToString(), query.TryGetValue("state", out var state) ? state.ToString() : null);
    }

    private async Task<JsonElement> AssertTokenIsAliceAsync(HttpRequestMessage exchange)
    {
        using var tokenResponse = await sample.Http.SendAsync(exchange);
        var json = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.True(tokenResponse.StatusCode == HttpStatusCode.OK, $"exchange failed: {json}");
        Assert.Equal("read", json.GetProperty("scope").GetString());

        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", json.GetProperty("access_token").GetString());
        using var meResponse = await sample.Http.SendAsync(me);
        Assert.Equal(HttpStatusCode.OK, meResponse.StatusCode);
        var who = JsonDocument.Parse(await meResponse.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("1001", who.GetProperty("subject").GetString());
        return json;
    }

    /// <summary>The sample on a loopback Kestrel port, and one headless Chromium for the class (each test has its own context: no shared cookies).</summary>
    public sealed class SampleInBrowser : IAsyncLifetime
    {
        private readonly WebApplicationFactory<Program> _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseFreeLoopbackPort());
        private IPlaywright? _playwright;
        private IBrowser? _browser;

        public Uri BaseAddress { get; private set; } = null!;

        public HttpClient Http { get; private set; } = null!;

        public IBrowser Browser => _browser ?? throw new InvalidOperationException(
            "No browser: Chromium is not installed (apt-get install -y chromium), yet TOKENAUTH_REQUIRE_BROWSER=1 requires it.");

        public async Task InitializeAsync()
        {
            if (BrowserFactAttribute.FindChromium() is not { } chromium)
            {
                // Every test is skipped then, or fails saying why under TOKENAUTH_REQUIRE_BROWSER=1.
                return;
            }

            _factory.UseKestrel();
            _factory.StartServer();
            var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            BaseAddress = new Uri(addresses.First());
            Http = new HttpClient { BaseAddress = BaseAddress };

            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new()
            {
                // Debian's Chromium: Playwright never downloads a browser here.
                ExecutablePath = chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
        }

        public async Task DisposeAsync()
        {
            if (_browser is not null)
            {
                await _browser.DisposeAsync();
            }

            _playwright?.Dispose();
            Http?.Dispose();
            await _factory.DisposeAsync();
        }
    }
}
