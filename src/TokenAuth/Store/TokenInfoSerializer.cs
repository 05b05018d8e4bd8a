using System.Text.Json;
using System.Text.Json.Serialization;

namespace TokenAuth;

/// <summary>The JSON form of <see cref="TokenInfo"/> in stores, source-generated (no reflection at run time).</summary>
internal static class TokenInfoSerializer
{
    public static byte[] Serialize(TokenInfo info) => JsonSerializer.SerializeToUtf8Bytes(info, TokenInfoJsonContext.Default.TokenInfo);

    public static TokenInfo? Deserialize(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, TokenInfoJsonContext.Default.TokenInfo);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TokenInfo))]
internal sealed partial class TokenInfoJsonContext : JsonSerializerContext;
