using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace TokenAuth;

/// <summary>RFC 7662 token introspection: a form POST, a JSON answer whose <c>active</c> is the verdict.</summary>
internal sealed class Rfc7662IntrospectionProtocol : IIntrospectionProtocol
{
    /// <summary>RFC 9701's JWT answer, which TokenAuth does not read: such a server is misconfigured for it, not the token bad.</summary>
    internal const string JwtResponseMediaType = "application/token-introspection+jwt";

    // Members that fill TokenInfo itself (or decide the verdict); every other member becomes a claim.
    private static readonly HashSet<string> Mapped = new(StringComparer.Ordinal)
    {
        "active", "scope", "client_id", "sub", "username", "name", "exp", "iat", "nbf", "tenant_id", "tid", "role", "roles",
        "token_type", "token_usage", "token_use",
    };

    public HttpRequestMessage CreateRequest(Uri endpoint, string token, IntrospectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var form = new List<KeyValuePair<string, string>>(4) { new("token", token) };
        if (!string.IsNullOrEmpty(options.TokenTypeHint))
        {
            form.Add(new("token_type_hint", options.TokenTypeHint));
        }

        var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        IntrospectionJson.Authenticate(request, form, options);
        request.Content = new FormUrlEncodedContent(form);
        // RFC 7662 §2.2 answers application/json; asking for nothing else keeps RFC 9701 servers on plain JSON.
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    public async ValueTask<TokenCheckResult> ReadAsync(HttpResponseMessage response, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var now = timeProvider.GetUtcNow();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            // §2.3: a bad client authentication is a 401 from the endpoint — our credentials, not the caller's token.
            return IntrospectionJson.UnexpectedStatus(response, now);
        }

        if (string.Equals(response.Content.Headers.ContentType?.MediaType, JwtResponseMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return TokenCheckResult.Unavailable("The authorization server answered a JWT introspection response (RFC 9701), which is not supported.");
        }

        using var document = await IntrospectionJson.ParseAsync(response.Content, cancellationToken);
        if (document?.RootElement.ValueKind != JsonValueKind.Object)
        {
            return TokenCheckResult.Unavailable("The authorization server's answer is not a JSON object.");
        }

        return Map(document.RootElement, now);
    }

    /// <summary>Maps an RFC 7662 §2.2 answer. Members of an unexpected type make it unavailable: a guess could widen access.</summary>
    internal static TokenCheckResult Map(JsonElement root, DateTimeOffset now)
    {
        if (!root.TryGetProperty("active", out var active) || active.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return TokenCheckResult.Unavailable("The authorization server's answer has no boolean 'active' member.");
        }

        if (active.ValueKind == JsonValueKind.False)
        {
            return TokenCheckResult.Invalid("The token is not active.");
        }

        if (root.TryGetProperty("cnf", out _))
        {
            // RFC 7800 / RFC 8705 / RFC 9449: a sender-constrained token is only good with a proof TokenAuth does not check.
            return TokenCheckResult.Invalid("The token is bound to a key (cnf); only bearer tokens are accepted.");
        }

        if (!IntrospectionJson.TryReadString(root, "token_type", out var tokenType)
            || !IntrospectionJson.TryReadString(root, "token_usage", out var usage)
            || !IntrospectionJson.TryReadString(root, "token_use", out var use))
        {
            return Unexpected("token_type");
        }

        if (tokenType is not null && (tokenType.Equals("DPoP", StringComparison.OrdinalIgnoreCase) || tokenType.StartsWith("refresh", StringComparison.OrdinalIgnoreCase)))
        {
            return TokenCheckResult.Invalid("The token is not a bearer access token.");
        }

        // OpenIddict says token_usage, Ory and Cognito token_use: a refresh token is active too, but it is no access token.
        if ((usage ?? use) is { } kind && !kind.Equals("access_token", StringComparison.OrdinalIgnoreCase))
        {
            return TokenCheckResult.Invalid("The token is not an access token.");
        }

        if (!IntrospectionJson.TryReadTime(root, "exp", out var expiresAt))
        {
            return Unexpected("exp");
        }

        if (!IntrospectionJson.TryReadTime(root, "nbf", out var notBefore))
        {
            return Unexpected("nbf");
        }

        if (!IntrospectionJson.TryReadTime(root, "iat", out var issuedAt))
        {
            return Unexpected("iat");
        }

        // "active" is the server's verdict on its own clock, nbf included: judging a fresh token's nbf again here would
        // refuse it whenever this clock lags the server's by a second. Expiry is ours to enforce — answers are cached.
        if (expiresAt is { } exp && exp <= now)
        {
            return TokenCheckResult.Invalid(Messages.Expired(exp));
        }

        var scopes = new List<string>();
        var roles = new List<string>();
        if (!IntrospectionJson.TryReadList(root, "scope", scopes))
        {
            return Unexpected("scope");
        }

        if (!IntrospectionJson.TryReadList(root, "roles", roles) || !IntrospectionJson.TryReadList(root, "role", roles))
        {
            return Unexpected("role");
        }

        if (!IntrospectionJson.TryReadString(root, "client_id", out var clientId)
            || !IntrospectionJson.TryReadString(root, "sub", out var subject)
            || !IntrospectionJson.TryReadString(root, "username", out var username)
            || !IntrospectionJson.TryReadString(root, "name", out var name)
            || !IntrospectionJson.TryReadString(root, "tenant_id", out var tenantId)
            || !IntrospectionJson.TryReadString(root, "tid", out var tid))
        {
            return Unexpected("client_id, sub, username, name or tenant_id");
        }

        var claims = new List<TokenClaim>();
        if (username is not null)
        {
            claims.Add(new TokenClaim("preferred_username", username));
        }

        foreach (var member in root.EnumerateObject())
        {
            if (Mapped.Contains(member.Name))
            {
                continue;
            }

            if (member.Value.ValueKind == JsonValueKind.Array)
            {
                // aud may be an array (RFC 7519 §4.1.3): one claim per value.
                foreach (var item in member.Value.EnumerateArray())
                {
                    if (IntrospectionJson.ScalarText(item) is { } value)
                    {
                        claims.Add(new TokenClaim(member.Name, value));
                    }
                }
            }
            else if (IntrospectionJson.ScalarText(member.Value) is { } value)
            {
                claims.Add(new TokenClaim(member.Name, value));
            }
        }

        return TokenCheckResult.Valid(new TokenInfo
        {
            Subject = subject,
            Name = name ?? username,
            ClientId = clientId,
            Scopes = scopes,
            Roles = roles,
            TenantId = tenantId ?? tid,
            IssuedAt = issuedAt,
            NotBefore = notBefore,
            ExpiresAt = expiresAt,
            Claims = claims,
        });
    }

    private static TokenCheckResult Unexpected(string member)
        => TokenCheckResult.Unavailable($"The authorization server's answer has an unexpected '{member}'.");
}
