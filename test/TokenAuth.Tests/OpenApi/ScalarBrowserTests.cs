using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using TokenAuth.Tests.Browser;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.OpenApi;

/// <summary>
/// The sample's Scalar UI (<c>/scalar</c>) in Debian's Chromium, on the sample's loopback Kestrel port: a token from the
/// sample's token endpoint goes into the Bearer field the document's security scheme gives, and "Test Request" on
/// <c>GET /api/me</c> gets the 200 answer. Every request that leaves the loopback is refused and counted: the page must
/// work offline.
/// </summary>
[Collection(SharedBrowser.Name)]
public sealed class ScalarBrowserTests(CodeFlowBrowserTests.SampleInBrowser sample)
{
    [BrowserFact]
    public async Task Scalar_BearerTokenFromTokenEndpoint_CallsApiMeAndShows200()
    {
        var token = await ClientCredentialsTokenAsync();
        await using var context = await sample.Browser.NewContextAsync(new()
        {
            BaseURL = sample.BaseAddress.ToString(),
            // Wide enough for Scalar's two-column layout, where the send button is in the address bar.
            ViewportSize = new() { Width = 1400, Height = 1000 },
        });
        context.SetDefaultTimeout(10_000);
        var outside = new List<string>();
        await context.RouteAsync("**", async route =>
        {
            if (new Uri(route.Request.Url).IsLoopback)
            {
                await route.ContinueAsync();
                return;
            }

            lock (outside)
            {
                outside.Add(route.Request.Url);
            }

            await route.AbortAsync();
        });
        var page = await context.NewPageAsync();

        var opened = await page.GotoAsync("/scalar/");
        Assert.Equal(200, opened!.Status);
        // The sample prefers the bearer scheme, so the introduction's authentication box shows its field.
        await page.GetByLabel("Bearer Token").First.FillAsync(token);
        // Operations are sections with Scalar's anchor as id (…/GET/api/me); its "Test Request" opens the API client.
        await page.Locator("section[id$='/GET/api/me']").GetByRole(AriaRole.Button, new() { Name = "Test Request" }).ClickAsync();
        var answer = page.WaitForResponseAsync(r => new Uri(r.Url).AbsolutePath == "/api/me");
        // The send button's label is aria-hidden; the address bar's action attribute names it (one is shown per layout).
        await page.Locator("button[data-addressbar-action=send] >> visible=true").ClickAsync();

        var response = await answer;
        Assert.Equal(200, response.Status);
        Assert.Equal($"Bearer {token}", await response.Request.HeaderValueAsync("authorization"));
        Assert.Null(await response.Request.HeaderValueAsync("sudo"));   // parameters left empty are not sent
        var shown = page.GetByRole(AriaRole.Region, new() { Name = "Response", Exact = true });
        await Assertions.Expect(shown).ToContainTextAsync("200 OK");
        await Assertions.Expect(shown).ToContainTextAsync("\"demo-client\"");
        await Assertions.Expect(shown).ToContainTextAsync("\"authorizationHeader\"");
        Assert.Empty(outside);
    }

    private async Task<string> ClientCredentialsTokenAsync()
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "demo-client",
            ["client_secret"] = "demo-secret",
        });
        using var response = await sample.Http.PostAsync(new Uri("/oauth/token", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
    }
}
