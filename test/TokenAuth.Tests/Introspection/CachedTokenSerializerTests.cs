using System.Buffers;
using System.Text;
using System.Text.Json;

namespace TokenAuth.Tests.Introspection;

/// <summary>What the second level (Redis) holds for one answer: its three fields, and nothing a lookup only marks on it.</summary>
public sealed class CachedTokenSerializerTests
{
    [Fact]
    public void Payload_HoldsInfoFailureAndUntil_Only_AndReadsBack()
    {
        var serializer = new CachedTokenSerializer();
        var entry = new CachedToken(new TokenInfo { Subject = "user-1" }, null, 1_800_000_000_000).MarkFresh();
        var buffer = new ArrayBufferWriter<byte>();

        serializer.Serialize(entry, buffer);

        using var json = JsonDocument.Parse(buffer.WrittenMemory);
        // Transient answers and lookup marks are never written: a property added to the record must not reach Redis (one
        // that threw on being read once made every write a cache fault, and every lookup a second call to the authority).
        Assert.Equal(["info", "until"], json.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        var back = serializer.Deserialize(new ReadOnlySequence<byte>(buffer.WrittenMemory));
        Assert.Equal("user-1", back.Info?.Subject);
        Assert.Equal(1_800_000_000_000, back.Until);
        Assert.False(back.IsTransient);
        Assert.False(back.TakeFresh());
    }

    [Fact]
    public void UnreadablePayload_IsAnAnswerOutOfDate_NotAnException()
    {
        var back = new CachedTokenSerializer().Deserialize(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("{\"until\":")));

        Assert.Same(CachedToken.Unreadable, back);
        Assert.False(back.IsUsableAt(DateTimeOffset.UnixEpoch));
    }
}
