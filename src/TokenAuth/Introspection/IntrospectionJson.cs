using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TokenAuth;

/// <summary>Reading helpers shared by the built-in protocols: bounded JSON, RFC 7519 NumericDates, string lists, client credentials.</summary>
internal static class IntrospectionJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    /// <summary>The body as a JSON document, or <see langword="null"/> when it is empty or not JSON.</summary>
    public static async ValueTask<JsonDocument?> ParseAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var bytes = await content.ReadAsByteArrayAsync(cancellationToken);
        if (bytes.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(bytes, DocumentOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads a NumericDate (RFC 7519 §2: seconds since the epoch, possibly fractional; a numeric string is tolerated).
    /// Returns <see langword="false"/> when the member is present but is no such number.
    /// </summary>
    public static bool TryReadTime(JsonElement root, string name, out DateTimeOffset? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (!TryReadNumber(element, out var seconds))
        {
            return false;
        }

        // Clamp: a hostile 1e300 must not throw; it simply means "far future".
        seconds = Math.Clamp(Math.Floor(seconds), 0, DateTimeOffset.MaxValue.ToUnixTimeSeconds() - 1);
        value = DateTimeOffset.UnixEpoch.AddSeconds(seconds);
        return true;
    }

    /// <summary>A JSON number, or a string holding one (vendors that type every member as a string).</summary>
    public static bool TryReadNumber(JsonElement element, out double number)
    {
        number = 0;
        return element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetDouble(out number) && double.IsFinite(number),
            JsonValueKind.String => double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number),
            _ => false,
        };
    }

    /// <summary>
    /// A string member; <see langword="true"/> with <see langword="null"/> when absent or JSON null, <see langword="false"/>
    /// when it has another type.
    /// </summary>
    public static bool TryReadString(JsonElement root, string name, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = element.GetString();
        return true;
    }

    /// <summary>
    /// A list given as one space-separated string (RFC 7662 <c>scope</c>) or as an array of strings. Returns
    /// <see langword="false"/> for any other shape.
    /// </summary>
    public static bool TryReadList(JsonElement root, string name, List<string> into)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            foreach (var item in element.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!into.Contains(item, StringComparer.Ordinal))
                {
                    into.Add(item);
                }
            }

            return true;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            var text = item.GetString()!;
            if (text.Length > 0 && !into.Contains(text, StringComparer.Ordinal))
            {
                into.Add(text);
            }
        }

        return true;
    }

    /// <summary>A claim value for a scalar: the string, the number's own text, or <c>true</c>/<c>false</c>; objects and nulls have none.</summary>
    public static string? ScalarText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    /// <summary>The <c>Retry-After</c> of a 429/503 answer, bounded to 5 minutes; <see langword="null"/> when absent.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date ? date - now : null);
        return delay is { } d && d > TimeSpan.Zero ? (d > TimeSpan.FromMinutes(5) ? TimeSpan.FromMinutes(5) : d) : null;
    }

    /// <summary>An answer that is not a success, for the client: the status only, never the body.</summary>
    public static TokenCheckResult UnexpectedStatus(HttpResponseMessage response, DateTimeOffset now)
        => TokenCheckResult.Unavailable(
            string.Create(CultureInfo.InvariantCulture, $"The authorization server answered {(int)response.StatusCode}."),
            retryAfter: response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable ? RetryAfter(response, now) : null);

    /// <summary>
    /// Client authentication (RFC 6749 §2.3.1): Basic with each part form-urlencoded — percent-encoded here, which both
    /// form decoders and plain percent decoders read back alike — or <c>client_id</c>/<c>client_secret</c> fields.
    /// </summary>
    public static void Authenticate(HttpRequestMessage request, List<KeyValuePair<string, string>>? form, IntrospectionOptions options)
    {
        if (string.IsNullOrEmpty(options.ClientId))
        {
            return;
        }

        if (options.ClientAuthentication == IntrospectionClientAuthentication.Body && form is not null)
        {
            form.Add(new("client_id", options.ClientId));
            if (!string.IsNullOrEmpty(options.ClientSecret))
            {
                form.Add(new("client_secret", options.ClientSecret));
            }

            return;
        }

        var pair = Uri.EscapeDataString(options.ClientId) + ":" + Uri.EscapeDataString(options.ClientSecret ?? string.Empty);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
    }
}
