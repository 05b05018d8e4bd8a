using Microsoft.OpenApi;

namespace TokenAuth.OpenApi;

/// <summary>
/// The OpenAPI security schemes of a TokenAuth scheme's enabled token sources, in the order the handler reads them. The ids
/// start with the scheme name, so that two TokenAuth schemes in one document do not collide.
/// </summary>
internal static class TokenAuthSecuritySchemes
{
    /// <summary>One security scheme per enabled source; the form source has none (OpenAPI schemes cannot be in a body).</summary>
    public static List<(string Id, OpenApiSecurityScheme Scheme)> Describe(string authenticationScheme, TokenAuthOptions options)
    {
        var sources = options.Sources;
        var schemes = new List<(string, OpenApiSecurityScheme)>();
        // The switched-on sources, in the order the handler reads them.
        foreach (var source in sources.EnabledSources)
        {
            switch (source)
            {
                case TokenSource.AuthorizationHeader:
                    schemes.Add(($"{authenticationScheme}.Bearer", new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        // RFC 7235 §2.1: the scheme word is case-insensitive; OpenAPI tools match "bearer".
                        Scheme = sources.AuthorizationScheme.ToLowerInvariant(),
                        Description = AuthorizationDescription(sources),
                    }));
                    break;
                case TokenSource.Header:
                    foreach (var name in sources.HeaderNames.Distinct(StringComparer.OrdinalIgnoreCase))
                    {
                        schemes.Add(($"{authenticationScheme}.Header.{name}", new OpenApiSecurityScheme
                        {
                            Type = SecuritySchemeType.ApiKey,
                            In = ParameterLocation.Header,
                            Name = name,
                            Description = $"The access token, bare, in the `{name}` header.",
                        }));
                    }

                    break;
                case TokenSource.Query:
                    schemes.Add(($"{authenticationScheme}.Query.{sources.QueryName}", new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey,
                        In = ParameterLocation.Query,
                        Name = sources.QueryName,
                        Description = $"The access token in the `{sources.QueryName}` query parameter (RFC 6750 §2.3). URLs end up in logs " +
                            "and browser history: prefer a header. Answers to such requests carry `Cache-Control: no-store`.",
                    }));
                    break;
            }
        }

        return schemes;
    }

    private static string AuthorizationDescription(TokenSourceOptions sources)
    {
        var description = $"`Authorization: {sources.AuthorizationScheme} <token>` (RFC 6750 §2.1; the scheme word in any case).";
        if (sources.EnabledSources.Contains(TokenSource.Form))
        {
            // An OpenAPI security scheme can be in a header, the query or a cookie, never in a body: said here instead.
            description += $" The token is also accepted in the `{sources.FormName}` field of an `application/x-www-form-urlencoded` " +
                "body of a non-GET request (RFC 6750 §2.2), which OpenAPI cannot describe as a security scheme.";
        }

        return description + " Send one token, one way: two different tokens in one request are answered 400.";
    }
}
