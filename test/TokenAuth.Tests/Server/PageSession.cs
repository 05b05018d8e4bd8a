using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace TokenAuth.Tests.Server;

/// <summary>
/// A browser without a browser, for the authorization endpoint's pages: keeps cookies (sent back whatever their
/// <c>Secure</c> flag, since TestServer speaks plain HTTP), follows no redirect, and fills in the forms it is shown —
/// antiforgery token and step included.
/// </summary>
public sealed partial class PageSession(HttpClient client)
{
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Cookies => _cookies;

    /// <summary>Sets a cookie as another tab of the same browser would.</summary>
    public void SetCookie(string name, string value) => _cookies[name] = value;

    /// <summary>Every <c>Set-Cookie</c> the server sent, in order.</summary>
    public List<string> SetCookies { get; } = [];

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenInput();

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]*)\">")]
    private static partial Regex FormAction();

    public async Task<Page> GetAsync(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        return await SendAsync(request);
    }

    /// <summary>Posts <paramref name="fields"/> as a form to <paramref name="url"/>, with nothing added.</summary>
    public async Task<Page> PostAsync(string url, params (string Name, string Value)[] fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        };
        return await SendAsync(request);
    }

    /// <summary>Submits the page's form: its hidden fields (antiforgery token, step) and <paramref name="fields"/>.</summary>
    public Task<Page> SubmitAsync(Page page, params (string Name, string Value)[] fields)
        => PostAsync(page.FormAction, [.. page.HiddenFields, .. fields]);

    /// <summary>Shows the login page for <paramref name="authorizeUrl"/>, signs in, and answers the consent page.</summary>
    public async Task<Page> SignInAsync(string authorizeUrl, string userName = TestUserStore.Alice, string password = TestUserStore.AlicePassword)
    {
        var login = await GetAsync(authorizeUrl);
        Assert.True(login.Status == HttpStatusCode.OK && login.Html.Contains("Sign in", StringComparison.Ordinal), $"expected the login page, got {(int)login.Status}: {login.Html}");
        var signedIn = await SubmitAsync(login, ("username", userName), ("password", password));
        Assert.Equal(HttpStatusCode.SeeOther, signedIn.Status);
        Assert.Equal(authorizeUrl, signedIn.Location);
        var consent = await GetAsync(signedIn.Location!);
        Assert.True(consent.Status == HttpStatusCode.OK && consent.Html.Contains("Allow access?", StringComparison.Ordinal), $"expected the consent page, got {(int)consent.Status}: {consent.Html}");
        return consent;
    }

    /// <summary>Signs in, answers the consent page with <paramref name="decision"/>, and returns where the browser is sent.</summary>
    public async Task<Uri> AuthorizeAsync(string authorizeUrl, string decision = "allow")
    {
        var consent = await SignInAsync(authorizeUrl);
        var answer = await SubmitAsync(consent, ("decision", decision));
        Assert.True(answer.Status == HttpStatusCode.SeeOther, $"expected a redirect, got {(int)answer.Status}: {answer.Html}");
        return new Uri(answer.Location!);
    }

    private async Task<Page> SendAsync(HttpRequestMessage request)
    {
        if (_cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        using var response = await client.SendAsync(request);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                SetCookies.Add(setCookie);
                var pair = setCookie.Split(';', 2)[0];
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                _cookies[pair[..equals]] = pair[(equals + 1)..];
            }
        }

        var headers = response.Headers.Concat(response.Content.Headers).ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        return new Page(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location?.OriginalString, headers);
    }

    public sealed record Page(HttpStatusCode Status, string Html, string? Location, IReadOnlyDictionary<string, string> Headers)
    {
        public string FormAction => WebUtility.HtmlDecode(FormAction().Match(Html) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("The page has no form: " + Html));

        public (string Name, string Value)[] HiddenFields
            => [.. HiddenInput().Matches(Html).Select(m => (WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))];

        /// <summary>The page without what changes from one rendering to the next: the antiforgery token's value.</summary>
        public string Stable => HiddenInput().Replace(Html, m => m.Groups[1].Value.StartsWith("__RequestVerificationToken", StringComparison.Ordinal) ? "<antiforgery>" : m.Value);
    }

    /// <summary>The parameters of a redirect's query string, or of its fragment.</summary>
    public static Dictionary<string, StringValues> Parameters(Uri location, bool fragment = false)
        => QueryHelpers.ParseQuery(fragment ? location.Fragment.TrimStart('#') : location.Query);
}
