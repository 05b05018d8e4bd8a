using System.Text.Json;

namespace TokenAuth.Tests.Hostile;

/// <summary>What a row got: status, headers, body, whom the pipeline authenticated, and what it logged at Error or above.</summary>
internal sealed record HostileOutcome(
    int Status,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    HostileSample.Probe? Probe,
    IReadOnlyList<string> Errors,
    string? Exception)
{
    private JsonElement? _json;

    public static HostileOutcome Threw(Exception exception, IReadOnlyList<string> errors, HostileSample.Probe? probe)
        => new(0, new Dictionary<string, string>(), string.Empty, probe, errors, $"{exception.GetType().Name}: {exception.Message}");

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The body as JSON, or <see langword="null"/> when it is not JSON.</summary>
    public JsonElement? Json
    {
        get
        {
            if (_json is null && Body.Length > 0)
            {
                try
                {
                    using var document = JsonDocument.Parse(Body);
                    _json = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    return null;
                }
            }

            return _json;
        }
    }

    /// <summary>A string member of the JSON body (<c>a.b</c> for a nested one), or <see langword="null"/>.</summary>
    public string? Member(string path)
    {
        if (Json is not { } element)
        {
            return null;
        }

        foreach (var name in path.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => element.GetRawText(),
        };
    }

    /// <summary>The kind of a member of the JSON body (<see cref="JsonValueKind.Undefined"/> when it is absent).</summary>
    public JsonValueKind Kind(string name)
        => Json is { ValueKind: JsonValueKind.Object } element && element.TryGetProperty(name, out var value) ? value.ValueKind : JsonValueKind.Undefined;
}
