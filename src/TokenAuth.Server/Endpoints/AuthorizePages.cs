using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;

namespace TokenAuth.Server;

/// <summary>
/// The authorization endpoint's HTML: the login page, the consent page and the error page. Small, self-contained
/// (inline CSS, no script, no external resource), every interpolated value HTML-encoded. Each form posts back to the
/// URL that showed it — the authorization request's query string included — with its own fields and an antiforgery token.
/// </summary>
internal static class AuthorizePages
{
    /// <summary>Which form was posted: <see cref="LoginStep"/> or <see cref="ConsentStep"/>.</summary>
    public const string StepField = "step";
    public const string LoginStep = "login";
    public const string ConsentStep = "consent";
    public const string UserNameField = "username";
    public const string PasswordField = "password";

    /// <summary>The consent form names the user it was shown to: a sign-in as someone else meanwhile must not grant for them.</summary>
    public const string ShownToField = "shown_to";

    /// <summary>The consent page's buttons: <see cref="Allow"/> or <see cref="Deny"/>.</summary>
    public const string DecisionField = "decision";
    public const string Allow = "allow";
    public const string Deny = "deny";

    // No form-action: Chrome applies it to the redirect that answers the consent form, which goes to the client.
    private const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

    private const string Style =
        "body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}" +
        "main{max-width:24rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}" +
        "h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .3rem}" +
        "input{box-sizing:border-box;width:100%;padding:.5rem;font-size:1rem}" +
        "button{margin-top:1.2rem;padding:.55rem 1.2rem;font-size:1rem;border:0;border-radius:4px;background:#2456c7;color:#fff;cursor:pointer}" +
        "button.secondary{background:#e4e6ea;color:#1d2330;margin-left:.5rem}" +
        ".error{color:#a4161a}.muted{color:#5c6370;font-size:.9rem}code{background:#eef0f3;padding:0 .25rem}";

    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static Task WriteLoginAsync(HttpContext context, int status, AntiforgeryTokenSet tokens, string clientName, string? userName, string? message, TimeSpan? retryAfter = null)
    {
        SetRetryAfter(context.Response, retryAfter);
        var body = new StringBuilder();
        body.Append("<h1>Sign in</h1><p class=\"muted\">to continue to ").Append(Html.Encode(clientName)).Append("</p>");
        if (message is not null)
        {
            body.Append("<p class=\"error\" role=\"alert\">").Append(Html.Encode(message)).Append("</p>");
        }

        BeginForm(body, context, tokens, LoginStep);
        body.Append("<label for=\"username\">User name</label>")
            .Append("<input id=\"username\" name=\"").Append(UserNameField).Append("\" autocomplete=\"username\" required autofocus value=\"")
            .Append(Html.Encode(userName ?? string.Empty)).Append("\">")
            .Append("<label for=\"password\">Password</label>")
            .Append("<input id=\"password\" name=\"").Append(PasswordField).Append("\" type=\"password\" autocomplete=\"current-password\" required>")
            .Append("<button type=\"submit\">Sign in</button></form>");
        return WriteAsync(context, status, "Sign in", body.ToString());
    }

    public static Task WriteConsentAsync(HttpContext context, AntiforgeryTokenSet tokens, string clientName, TokenUser user, IReadOnlyList<string> scopes, string redirectUri)
    {
        var body = new StringBuilder();
        body.Append("<h1>Allow access?</h1><p><strong id=\"client\">").Append(Html.Encode(clientName)).Append("</strong> asks to access your account")
            .Append(scopes.Count > 0 ? " with these scopes:</p><ul id=\"scopes\">" : ".</p>");
        foreach (var scope in scopes)
        {
            body.Append("<li><code>").Append(Html.Encode(scope)).Append("</code></li>");
        }

        if (scopes.Count > 0)
        {
            body.Append("</ul>");
        }

        var who = user.DisplayName is { Length: > 0 } name && user.UserName.Length > 0 && name != user.UserName ? $"{name} ({user.UserName})" : user.DisplayName ?? user.UserName;
        body.Append("<p class=\"muted\">Signed in as <span id=\"user\">").Append(Html.Encode(who)).Append("</span>. ")
            .Append("You will be sent back to <code>").Append(Html.Encode(redirectUri)).Append("</code>.</p>");
        BeginForm(body, context, tokens, ConsentStep);
        body.Append("<input type=\"hidden\" name=\"").Append(ShownToField).Append("\" value=\"").Append(Html.Encode(user.UserName)).Append("\">");
        body.Append("<button type=\"submit\" name=\"").Append(DecisionField).Append("\" value=\"").Append(Allow).Append("\">Allow</button>")
            .Append("<button type=\"submit\" class=\"secondary\" name=\"").Append(DecisionField).Append("\" value=\"").Append(Deny).Append("\">Deny</button></form>");
        return WriteAsync(context, StatusCodes.Status200OK, "Allow access?", body.ToString());
    }

    /// <summary>An error the browser shows: never a redirect, since the client or its redirect URI cannot be trusted (RFC 6749 §4.1.2.1).</summary>
    public static Task WriteErrorAsync(HttpContext context, OAuthError error)
    {
        SetRetryAfter(context.Response, error.RetryAfter);
        var body = new StringBuilder()
            .Append("<h1>The request cannot be completed</h1><p class=\"error\" id=\"error\">").Append(Html.Encode(error.Description)).Append("</p>")
            .Append("<p class=\"muted\">Error: <code>").Append(Html.Encode(error.Error)).Append("</code></p>");
        return WriteAsync(context, error.StatusCode, "Error", body.ToString());
    }

    /// <summary>The headers of every answer of the endpoint, pages and redirects alike.</summary>
    public static void SetSecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        // Overrides the antiforgery's "no-cache, no-store" and its X-Frame-Options SAMEORIGIN.
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
    }

    private static void SetRetryAfter(HttpResponse response, TimeSpan? wait)
    {
        if (wait is { } value)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>The URL of this request, relative to the host: path base, path and the query string as it came.</summary>
    public static string SelfUrl(HttpRequest request)
        => string.Concat(request.PathBase.ToUriComponent(), request.Path.ToUriComponent(), request.QueryString.ToUriComponent());

    private static void BeginForm(StringBuilder body, HttpContext context, AntiforgeryTokenSet tokens, string step)
    {
        // The same URL, query string and all: the authorization request is read again, and checked again, on the POST.
        body.Append("<form method=\"post\" action=\"").Append(Html.Encode(SelfUrl(context.Request))).Append("\">")
            .Append("<input type=\"hidden\" name=\"").Append(Html.Encode(tokens.FormFieldName)).Append("\" value=\"").Append(Html.Encode(tokens.RequestToken ?? string.Empty)).Append("\">")
            .Append("<input type=\"hidden\" name=\"").Append(StepField).Append("\" value=\"").Append(step).Append("\">");
    }

    private static async Task WriteAsync(HttpContext context, int status, string title, string body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        SetSecurityHeaders(response);
        var html = Encoding.UTF8.GetBytes(string.Concat(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>", Html.Encode(title), "</title><style>", Style, "</style></head><body><main>", body, "</main></body></html>"));
        response.ContentLength = html.Length;
        await response.Body.WriteAsync(html, context.RequestAborted);
    }
}
