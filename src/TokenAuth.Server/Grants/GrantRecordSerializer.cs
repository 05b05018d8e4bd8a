using System.Text.Json;
using System.Text.Json.Serialization;

namespace TokenAuth.Server;

/// <summary>The JSON form of <see cref="GrantRecord"/> in the Redis grant store, source-generated (no reflection at run time).</summary>
internal static class GrantRecordSerializer
{
    public static byte[] Serialize(GrantRecord grant) => JsonSerializer.SerializeToUtf8Bytes(grant, GrantRecordJsonContext.Default.GrantRecord);

    public static GrantRecord Deserialize(ReadOnlySpan<byte> json)
        => JsonSerializer.Deserialize(json, GrantRecordJsonContext.Default.GrantRecord) ?? throw new JsonException("A stored grant is JSON null.");
}

// Enums by name, so that a reordered enum cannot turn a stored code into a refresh token.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true)]
[JsonSerializable(typeof(GrantRecord))]
internal sealed partial class GrantRecordJsonContext : JsonSerializerContext;
