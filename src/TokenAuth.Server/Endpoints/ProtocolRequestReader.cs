using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace TokenAuth.Server;

/// <summary>
/// Reads a request's parameters where its profile says (query, form, JSON), with a bound on the body, and refuses
/// what RFC 6749 §3.1–3.2 refuses: a parameter given twice (in one place or two), a body of a type the profile does
/// not read, a body that is not UTF-8. Parameters without a value count as absent; unknown ones are ignored.
/// </summary>
internal static class ProtocolRequestReader
{
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 8, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    public static async ValueTask<(ProtocolRequest? Request, OAuthError? Error)> ReadAsync(HttpContext context, ServerEndpoint endpoint, int maxBodyLength)
    {
        var profile = endpoint.Profile;
        var request = context.Request;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);

        if (profile.Parameters.HasFlag(ParameterLocations.Query) && AddQuery(context, endpoint, parameters) is { } queryError)
        {
            return (null, queryError);
        }

        var hasBody = !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method)
            && (request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0) || request.ContentType is not null);
        if (hasBody)
        {
            var bodyError = await ReadBodyAsync(context, endpoint, parameters, maxBodyLength);
            if (bodyError is not null)
            {
                return (null, bodyError);
            }
        }
        else if ((profile.Parameters & (ParameterLocations.Form | ParameterLocations.Json)) != 0 && !profile.Parameters.HasFlag(ParameterLocations.Query)
                 && !HttpMethods.IsGet(request.Method))
        {
            return (null, OAuthError.InvalidRequest($"The request must carry its parameters in {BodyFormats(profile)}."));
        }

        return (new ProtocolRequest(context, endpoint, parameters), null);
    }

    /// <summary>
    /// The query string alone, whatever the method: the authorization endpoint's requests travel there on the GET that
    /// shows a page and on the POST of its form, whose body holds the page's own fields.
    /// </summary>
    public static (ProtocolRequest? Request, OAuthError? Error) ReadQuery(HttpContext context, ServerEndpoint endpoint)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        return AddQuery(context, endpoint, parameters) is { } error ? (null, error) : (new ProtocolRequest(context, endpoint, parameters), null);
    }

    private static OAuthError? AddQuery(HttpContext context, ServerEndpoint endpoint, Dictionary<string, string> parameters)
    {
        foreach (var (name, values) in context.Request.Query)
        {
            if (Add(endpoint, parameters, name, values) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static async ValueTask<OAuthError?> ReadBodyAsync(HttpContext context, ServerEndpoint endpoint, Dictionary<string, string> parameters, int maxBodyLength)
    {
        var profile = endpoint.Profile;
        var request = context.Request;
        var type = MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ? mediaType.MediaType.Value : null;
        var isForm = string.Equals(type, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        var isJson = string.Equals(type, "application/json", StringComparison.OrdinalIgnoreCase)
                     || (type?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) ?? false);

        if ((isForm && profile.Parameters.HasFlag(ParameterLocations.Form)) || (isJson && profile.Parameters.HasFlag(ParameterLocations.Json)))
        {
            if (mediaType!.Charset.HasValue && !IsUtf8(mediaType.Charset.Value))
            {
                return OAuthError.InvalidRequest("The request body must be UTF-8.");
            }
        }
        else if (type is null && request.ContentLength is null or 0 && profile.Parameters.HasFlag(ParameterLocations.Query))
        {
            // A POST with its parameters in the query string and an empty body (seeds 003 and 004).
            return null;
        }
        else if ((profile.Parameters & (ParameterLocations.Form | ParameterLocations.Json)) == 0 && request.ContentLength is null or 0)
        {
            return null;
        }
        else
        {
            return OAuthError.InvalidRequest($"The request body must be {BodyFormats(profile)}.");
        }

        var (body, tooLarge, clientFault) = await BoundedFormReader.ReadStringAsync(request, maxBodyLength, context.RequestAborted);
        if (body is null)
        {
            return tooLarge ? OAuthError.TooLarge()
                : clientFault != 0 ? OAuthError.BodyNotReceived(clientFault)
                : OAuthError.InvalidRequest("The request body is not valid UTF-8.");
        }

        return isForm ? await AddFormAsync(endpoint, parameters, body, maxBodyLength) : AddJson(endpoint, parameters, body);
    }

    private static async ValueTask<OAuthError?> AddFormAsync(ServerEndpoint endpoint, Dictionary<string, string> parameters, string body, int maxBodyLength)
    {
        Dictionary<string, StringValues> fields;
        try
        {
            // ASP.NET Core's own form parser: a parameter behind "&&" is a parameter, and counts as given twice.
            fields = await BoundedFormReader.ParseAsync(body, maxBodyLength);
        }
        catch (InvalidDataException)
        {
            // Past the reader's limits, or a NUL decoded from %00: refused as Request.ReadFormAsync refuses it.
            return OAuthError.InvalidRequest("The form is malformed: too many fields, a name too long, or a NUL character.");
        }

        foreach (var (name, values) in fields)
        {
            if (Add(endpoint, parameters, name, values) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static OAuthError? AddJson(ServerEndpoint endpoint, Dictionary<string, string> parameters, string body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, JsonOptions);
        }
        catch (JsonException)
        {
            return OAuthError.InvalidRequest("The request body is not valid JSON.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return OAuthError.InvalidRequest("The request body must be a JSON object.");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(member.Name))
                {
                    return Duplicate(member.Name);
                }

                if (!endpoint.CanonicalNames.ContainsKey(member.Name))
                {
                    continue;
                }

                // Seed 002 sends userId as a JSON number; anything but a string, a number or null is a type error.
                string? value;
                switch (member.Value.ValueKind)
                {
                    case JsonValueKind.String:
                        value = member.Value.GetString();
                        break;
                    case JsonValueKind.Number:
                        value = member.Value.GetRawText();
                        break;
                    case JsonValueKind.Null:
                        continue;
                    default:
                        return OAuthError.InvalidRequest($"The member '{OAuthError.Printable(member.Name)}' must be a string or a number.");
                }

                if (Add(endpoint, parameters, member.Name, value) is { } error)
                {
                    return error;
                }
            }
        }

        return null;
    }

    private static OAuthError? Add(ServerEndpoint endpoint, Dictionary<string, string> parameters, string name, StringValues values)
    {
        if (!endpoint.CanonicalNames.TryGetValue(name, out var canonical))
        {
            // RFC 6749 §3.2: unrecognized parameters are ignored.
            return null;
        }

        if (values.Count > 1)
        {
            return Duplicate(name);
        }

        var value = values.ToString();
        if (value.Length == 0)
        {
            // RFC 6749 §3.1: a parameter without a value is treated as omitted.
            return null;
        }

        return parameters.TryAdd(canonical, value) ? null : Duplicate(name);
    }

    // RFC 6749 §3.1, §3.2: request and response parameters must not be included more than once.
    private static OAuthError Duplicate(string name) => OAuthError.InvalidRequest($"The parameter '{OAuthError.Printable(name)}' is given more than once.");

    private static bool IsUtf8(string charset)
        => charset.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Trim('"').Equals("utf8", StringComparison.OrdinalIgnoreCase);

    private static string BodyFormats(TokenServerProfile profile)
    {
        var formats = new List<string>(3);
        if (profile.Parameters.HasFlag(ParameterLocations.Form))
        {
            formats.Add("application/x-www-form-urlencoded");
        }

        if (profile.Parameters.HasFlag(ParameterLocations.Json))
        {
            formats.Add("application/json");
        }

        if (profile.Parameters.HasFlag(ParameterLocations.Query))
        {
            formats.Add("the query string");
        }

        return string.Join(" or ", formats);
    }
}
