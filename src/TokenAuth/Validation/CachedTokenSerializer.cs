using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Caching.Hybrid;

namespace TokenAuth;

/// <summary>The cache's serializer for <see cref="CachedToken"/>: source-generated JSON, and never an exception on bad bytes.</summary>
internal sealed class CachedTokenSerializer : IHybridCacheSerializer<CachedToken>
{
    public CachedToken Deserialize(ReadOnlySequence<byte> source)
    {
        try
        {
            var reader = new Utf8JsonReader(source);
            // Only what comes back from Redis is deserialized (memory holds the immutable instance itself).
            return JsonSerializer.Deserialize(ref reader, CachedTokenJsonContext.Default.CachedToken)?.MarkDistributed() ?? CachedToken.Unreadable;
        }
        catch (JsonException)
        {
            // Foreign or corrupt bytes under our key: treat them as stale so the entry is fetched and written again.
            return CachedToken.Unreadable;
        }
    }

    public void Serialize(CachedToken value, IBufferWriter<byte> target)
    {
        using var writer = new Utf8JsonWriter(target);
        JsonSerializer.Serialize(writer, value, CachedTokenJsonContext.Default.CachedToken);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CachedToken))]
internal sealed partial class CachedTokenJsonContext : JsonSerializerContext;
