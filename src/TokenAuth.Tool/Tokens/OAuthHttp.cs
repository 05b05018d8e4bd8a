using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace TokenAuth.Tool;

/// <summary>
/// The tool's requests to a running app's RFC endpoints, with client authentication by HTTP Basic (RFC 6749 §2.3.1).
/// Nothing here writes a token or a secret anywhere but into the request.
/// </summary>
internal static class OAuthHttp
{
    /// <summary>The paths <c>MapTokenAuthServer()</c> maps by default (TokenServerProfiles.Token, Introspect, Revoke).</summary>
    public const string TokenPath = "oauth/token", IntrospectPath = "oauth/introspect", RevokePath = "oauth/revoke";

    /// <summary>POSTs <paramref name="form"/> to <paramref name="path"/> under <paramref name="baseAddress"/>, as the client.</summary>
    /// <returns>The status and the body when it is JSON (<see langword="null"/> for an empty or non-JSON body).</returns>
    /// <exception cref="ToolException">The app could not be reached, or did not answer in time (exit code 2).</exception>
    public static async Task<(HttpStatusCode Status, JsonElement? Body)> PostAsync(
        ToolEnvironment environment, Uri baseAddress, string path, string clientId, string secret, IEnumerable<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        var endpoint = new Uri(baseAddress, path);
        using var http = environment.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(form) };
        // RFC 6749 §2.3.1: the id and the secret are form-urlencoded before they are joined.
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{FormEncode(clientId)}:{FormEncode(secret)}")));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return (response.StatusCode, Parse(text));
        }
        catch (HttpRequestException e)
        {
            throw ToolException.Backend($"Could not reach {endpoint}: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw ToolException.Backend($"{endpoint} did not answer within {http.Timeout.TotalSeconds:0} s.", e);
        }
    }

    /// <summary>The server's error (RFC 6749 §5.2) as one line, or the status when the body says nothing.</summary>
    public static ToolException Refused(Uri baseAddress, string path, HttpStatusCode status, JsonElement? body)
    {
        var error = body is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        var description = body is { ValueKind: JsonValueKind.Object } withDescription && withDescription.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        var what = error is null ? string.Empty : description is null ? $": {error}" : $": {error}: {description}";
        return ToolException.Backend($"{new Uri(baseAddress, path)} answered {(int)status} {status}{what}");
    }

    private static string FormEncode(string value) => Uri.EscapeDataString(value);

    private static JsonElement? Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
