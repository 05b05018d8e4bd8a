using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TokenAuth.Tool;

/// <summary>
/// Adds a property at the end of a JSON file's root object and leaves every other byte as it was — comments, order,
/// blank lines, a byte-order mark — because appsettings files are edited by people and commented
/// (<c>Microsoft.Extensions.Configuration.Json</c> accepts comments and trailing commas, so the tool does too).
/// </summary>
internal static class JsonObjectAppender
{
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    // Readable URLs and scopes in a configuration file; it is never served as HTML.
    private static readonly JsonSerializerOptions NameOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="name"/>: <paramref name="value"/> into <paramref name="path"/>, creating the file (and its folder) if needed.</summary>
    /// <returns>Whether the file was created.</returns>
    /// <exception cref="ToolException">The file is not a JSON object.</exception>
    public static bool AppendToFile(string path, string name, JsonNode value)
    {
        var created = !File.Exists(path);
        var bytes = created ? [] : File.ReadAllBytes(path);
        if (bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            // A new file, or an empty one (as an editor or `touch` leaves it): an empty object to add to.
            bytes = "{\n}\n"u8.ToArray();
        }

        var bom = bytes.AsSpan().StartsWith(Utf8Bom);
        string text;
        try
        {
            text = Append(Encoding.UTF8.GetString(bom ? bytes[Utf8Bom.Length..] : bytes), name, value);
        }
        catch (JsonException e)
        {
            throw ToolException.Usage($"{path} is not valid JSON (line {e.LineNumber + 1}): {e.Message}", e);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Written beside it and moved over it, so that an interrupted write never leaves half a file the app cannot read.
        var temporary = path + ".tokenauth-" + Guid.NewGuid().ToString("N")[..8];
        using (var stream = File.Create(temporary))
        {
            if (bom)
            {
                stream.Write(Utf8Bom);
            }

            stream.Write(Encoding.UTF8.GetBytes(text));
        }

        if (!OperatingSystem.IsWindows())
        {
            // The file keeps its mode; a new one (user secrets, mostly) is readable by its owner only.
            File.SetUnixFileMode(temporary, created ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(path));
        }

        File.Move(temporary, path, overwrite: true);
        return created;
    }

    /// <summary>
    /// <paramref name="json"/> with <c>"name": value</c> added after the root object's last property, indented as the
    /// file's first property is.
    /// </summary>
    public static string Append(string json, string name, JsonNode value)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Allow, AllowTrailingCommas = true });
        int? rootStart = null, rootEnd = null, lastValueEnd = null, firstProperty = null;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.Comment)
            {
                continue;
            }

            if (rootStart is null && reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("The root of the file is not an object.", null, 0, reader.BytesConsumed);
            }

            switch (reader.TokenType, reader.CurrentDepth)
            {
                case (JsonTokenType.StartObject, 0):
                    rootStart = (int)reader.BytesConsumed;
                    break;
                case (JsonTokenType.EndObject, 0):
                    rootEnd = (int)reader.TokenStartIndex;
                    break;
                case (JsonTokenType.PropertyName, 1):
                    firstProperty ??= (int)reader.TokenStartIndex;
                    break;
                case (JsonTokenType.EndObject or JsonTokenType.EndArray or JsonTokenType.String or JsonTokenType.Number
                    or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null, 1):
                    // The end of a root property's value; a trailing comma or comment after it stays where it is.
                    lastValueEnd = (int)reader.BytesConsumed;
                    break;
            }
        }

        if (rootStart is null || rootEnd is null)
        {
            throw new JsonException("The file holds no JSON object.");
        }

        var newline = json.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var indent = IndentOf(bytes, firstProperty) ?? "  ";
        var serialized = value.ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = true,
            IndentCharacter = indent[0],
            IndentSize = indent.Length,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }).Replace("\n", newline + indent, StringComparison.Ordinal);
        var property = indent + JsonSerializer.Serialize(name, NameOptions) + ": " + serialized;
        // After the last property, before any comma or comment that follows it; in an empty object, on a line of its own.
        var emptyOnOneLine = lastValueEnd is null && bytes.AsSpan(rootStart.Value, rootEnd.Value - rootStart.Value).IndexOf((byte)'\n') < 0;
        var (at, insert) = lastValueEnd is { } end
            ? (end, "," + newline + property)
            : (rootStart.Value, newline + property + (emptyOnOneLine ? newline : string.Empty));
        return Encoding.UTF8.GetString(bytes, 0, at) + insert + Encoding.UTF8.GetString(bytes, at, bytes.Length - at);
    }

    /// <summary>The blanks before the first property, when it starts its own line.</summary>
    private static string? IndentOf(byte[] bytes, int? propertyStart)
    {
        if (propertyStart is not { } start)
        {
            return null;
        }

        var lineStart = start;
        while (lineStart > 0 && bytes[lineStart - 1] is (byte)' ' or (byte)'\t')
        {
            lineStart--;
        }

        var onItsOwnLine = lineStart == 0 || bytes[lineStart - 1] == (byte)'\n';
        return onItsOwnLine && start > lineStart && bytes.AsSpan(lineStart, start - lineStart).IndexOfAnyExcept((byte)bytes[lineStart]) < 0
            ? Encoding.ASCII.GetString(bytes, lineStart, start - lineStart)
            : null;
    }
}
