using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace TokenAuth;

/// <summary>The outcome of reading a request's token sources.</summary>
internal readonly record struct ExtractionResult(string? Token, TokenSource Source, string? Error)
{
    public static ExtractionResult None => default;
}

/// <summary>
/// Reads the enabled token sources in order. Each source is a small reader; all enabled sources are read,
/// so that two different tokens in one request are caught (RFC 6750 §2: one method per request).
/// </summary>
internal static class TokenExtractor
{
    public const string ConflictMessage = "The request carries more than one access token; send exactly one (RFC 6750, section 2).";

    public static async ValueTask<ExtractionResult> ExtractAsync(HttpContext context, TokenSourceOptions options, CancellationToken cancellationToken)
    {
        string? token = null;
        var source = TokenSource.Event;
        foreach (var candidate in options.ReadOrder)
        {
            StringValues values;
            if (candidate == TokenSource.Form)
            {
                (values, var fault) = await ReadFormAsync(context.Request, options, cancellationToken);
                if (fault is not null)
                {
                    return new ExtractionResult(null, candidate, fault);
                }
            }
            else
            {
                values = candidate switch
                {
                    TokenSource.AuthorizationHeader => ReadAuthorization(context.Request, options.AuthorizationScheme),
                    TokenSource.Header => ReadHeaders(context.Request, options.HeaderNames),
                    TokenSource.Query => context.Request.Query[options.QueryName],
                    _ => StringValues.Empty,
                };
            }

            foreach (var raw in values)
            {
                var value = raw?.Trim() ?? string.Empty;
                if (token is null)
                {
                    token = value;
                    source = candidate;
                }
                else if (!string.Equals(token, value, StringComparison.Ordinal))
                {
                    return new ExtractionResult(null, candidate, ConflictMessage);
                }
            }
        }

        return token is null ? ExtractionResult.None : new ExtractionResult(token, source, null);
    }

    private static StringValues ReadAuthorization(HttpRequest request, string scheme)
    {
        var headers = request.Headers.Authorization;
        if (headers.Count == 0)
        {
            return StringValues.Empty;
        }

        var found = StringValues.Empty;
        foreach (var header in headers)
        {
            // "Bearer <token>": the scheme is case-insensitive (RFC 7235 §2.1); other schemes belong to other handlers.
            if (header is not null
                && header.Length >= scheme.Length
                && header.AsSpan(0, scheme.Length).Equals(scheme, StringComparison.OrdinalIgnoreCase)
                && (header.Length == scheme.Length || header[scheme.Length] == ' '))
            {
                // One copy, already trimmed: string.Trim on it afterwards returns the same instance.
                var token = header.AsSpan(scheme.Length).Trim();
                found = found.Count == 0 ? new StringValues(token.ToString()) : StringValues.Concat(found, token.ToString());
            }
        }

        return found;
    }

    private static StringValues ReadHeaders(HttpRequest request, IList<string> names)
    {
        var found = StringValues.Empty;
        // Indexed, not foreach: an IList's enumerator is a boxed allocation on every request.
        for (var i = 0; i < names.Count; i++)
        {
            if (request.Headers.TryGetValue(names[i], out var values))
            {
                found = found.Count == 0 ? values : StringValues.Concat(found, values);
            }
        }

        return found;
    }

    /// <summary>The form's token values; or the client's fault when it did not send the body whole (cut short, too slow).</summary>
    private static async ValueTask<(StringValues Values, string? Fault)> ReadFormAsync(HttpRequest request, TokenSourceOptions options, CancellationToken cancellationToken)
    {
        // Never multipart: a token has no business in an upload, and reading one is unbounded work.
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || !BoundedFormReader.IsUrlEncodedForm(request.ContentType))
        {
            return (StringValues.Empty, null);
        }

        // The endpoint (or MVC) may have read the form already.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IFormFeature>()?.Form is { } form)
        {
            return (form[options.FormName], null);
        }

        // A body over the bound is not searched: it cannot be rejected here, the endpoint may accept large forms.
        var result = await BoundedFormReader.ReadAsync(request, options.MaxFormBodyLength, cancellationToken);
        if (result.ClientFault != 0 && !result.TooLarge)
        {
            return (StringValues.Empty, result.ClientFault == StatusCodes.Status408RequestTimeout
                ? "The request body was sent too slowly."
                : "The request body ended before its announced length.");
        }

        return (result.Fields?.TryGetValue(options.FormName, out var values) == true ? values : StringValues.Empty, null);
    }
}
