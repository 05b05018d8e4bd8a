using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace TokenAuth;

/// <summary>
/// Seed 001's check: <c>GET …/tokens/check?token=…</c> answers <c>access_token</c>, <c>token_type</c>, <c>expires_in</c>
/// (seconds left, documented as a string) and <c>scope</c>, or an <c>invalid_token</c> error.
/// </summary>
internal sealed class TokenCheckIntrospectionProtocol : IIntrospectionProtocol
{
    public HttpRequestMessage CreateRequest(Uri endpoint, string token, IntrospectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        var builder = new UriBuilder(endpoint);
        var query = builder.Query.TrimStart('?');
        builder.Query = (query.Length > 0 ? query + "&" : string.Empty) + "token=" + Uri.EscapeDataString(token);
        var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        // A GET has no body: a configured client goes in the Basic header, never in the URL.
        IntrospectionJson.Authenticate(request, form: null, options);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    public async ValueTask<TokenCheckResult> ReadAsync(HttpResponseMessage response, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var now = timeProvider.GetUtcNow();
        var status = response.StatusCode;
        if (status is not (HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized))
        {
            return IntrospectionJson.UnexpectedStatus(response, now);
        }

        using var document = await IntrospectionJson.ParseAsync(response.Content, cancellationToken);
        if (document?.RootElement.ValueKind != JsonValueKind.Object)
        {
            return TokenCheckResult.Unavailable("The token check's answer is not a JSON object.");
        }

        var root = document.RootElement;
        if (status != HttpStatusCode.OK)
        {
            // Only the server's word that the token is bad is a 401; any other error is its problem (a 503 here).
            return IntrospectionJson.TryReadString(root, "error", out var error) && error == TokenAuthErrors.InvalidToken
                ? TokenCheckResult.Invalid("The token is unknown, revoked or expired.")
                : IntrospectionJson.UnexpectedStatus(response, now);
        }

        var scopes = new List<string>();
        if (!IntrospectionJson.TryReadList(root, "scope", scopes))
        {
            return TokenCheckResult.Unavailable("The token check's answer has an unexpected 'scope'.");
        }

        DateTimeOffset? expiresAt = null;
        if (root.TryGetProperty("expires_in", out var expiresIn) && expiresIn.ValueKind != JsonValueKind.Null)
        {
            if (!IntrospectionJson.TryReadNumber(expiresIn, out var seconds))
            {
                return TokenCheckResult.Unavailable("The token check's answer has an unexpected 'expires_in'.");
            }

            if (seconds <= 0)
            {
                return TokenCheckResult.Invalid(Messages.Expired(now));
            }

            expiresAt = now.AddSeconds(Math.Min(Math.Floor(seconds), TimeSpan.FromDays(3650).TotalSeconds));
        }

        return TokenCheckResult.Valid(new TokenInfo { Scopes = scopes, ExpiresAt = expiresAt });
    }
}
