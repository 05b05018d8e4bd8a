using System.Text;

namespace TokenAuth;

/// <summary>
/// The Redis store's value: <see cref="TokenInfo"/> in a positional binary form of about 60 bytes for a typical token
/// (the JSON of <see cref="TokenInfoSerializer"/> spells out every member name and empty list in ~250). Layout, version 1:
/// <list type="number">
/// <item>the version, one byte (1);</item>
/// <item>which members follow, a varint bit set: 1 <c>Subject</c>, 2 <c>ClientId</c>, 4 <c>Scopes</c>, 8 <c>IssuedAt</c>,
/// 16 <c>Name</c>, 32 <c>TenantId</c>, 64 <c>NotBefore</c>, 128 <c>Roles</c>, 256 <c>Claims</c> — the common ones first, so
/// that a typical token needs one byte; a null member and an empty list are absent;</item>
/// <item><c>ExpiresAt</c> in Unix milliseconds (always present: a stored token has an expiry); then <c>IssuedAt</c> and
/// <c>NotBefore</c> as milliseconds before it (about 4 bytes for an hour, where the instant itself takes 6);</item>
/// <item><c>Subject</c>, <c>Name</c>, <c>ClientId</c>, <c>TenantId</c>; then <c>Scopes</c> and <c>Roles</c> (a count, then
/// each string) and <c>Claims</c> (a count, then type and value of each).</item>
/// </list>
/// Integers are LEB128 varints, signed ones zigzag-encoded. A string is a varint of its UTF-8 length plus one (0 for
/// null, so a null list entry or claim part survives too), then its bytes. Times are kept to the millisecond — the
/// precision of the entry's TTL —, rounded so that the validity window never widens: <c>ExpiresAt</c> and <c>IssuedAt</c>
/// down, <c>NotBefore</c> up; they come back in UTC.
/// </summary>
internal static class CompactTokenInfoSerializer
{
    /// <summary>The first byte of every value this version writes.</summary>
    public const byte Version = 1;

    private const int Subject = 1, ClientId = 2, Scopes = 4, IssuedAt = 8, Name = 16, TenantId = 32, NotBefore = 64, Roles = 128, Claims = 256;
    private const int Known = 511;

    private static readonly long MinMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Encodes <paramref name="info"/>, whose <see cref="TokenInfo.ExpiresAt"/> must be set.</summary>
    public static byte[] Serialize(TokenInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var expires = Milliseconds(info.ExpiresAt ?? throw new ArgumentException("A stored token must have an expiry.", nameof(info)), roundUp: false);
        var flags = (info.Subject is null ? 0 : Subject)
            | (info.ClientId is null ? 0 : ClientId)
            | (info.Scopes is { Count: > 0 } ? Scopes : 0)
            | (info.IssuedAt is null ? 0 : IssuedAt)
            | (info.Name is null ? 0 : Name)
            | (info.TenantId is null ? 0 : TenantId)
            | (info.NotBefore is null ? 0 : NotBefore)
            | (info.Roles is { Count: > 0 } ? Roles : 0)
            | (info.Claims is { Count: > 0 } ? Claims : 0);
        var issuedBefore = info.IssuedAt is { } issued ? Zigzag(expires - Milliseconds(issued, roundUp: false)) : 0;
        var notBeforeBefore = info.NotBefore is { } notBefore ? Zigzag(expires - Milliseconds(notBefore, roundUp: true)) : 0;

        // Measured first, so that the value is one exact array (it goes to Redis as is).
        var length = 1 + VarintLength((ulong)flags) + VarintLength(Zigzag(expires))
            + ((flags & IssuedAt) != 0 ? VarintLength(issuedBefore) : 0)
            + ((flags & NotBefore) != 0 ? VarintLength(notBeforeBefore) : 0)
            + ((flags & Subject) != 0 ? StringLength(info.Subject) : 0)
            + ((flags & Name) != 0 ? StringLength(info.Name) : 0)
            + ((flags & ClientId) != 0 ? StringLength(info.ClientId) : 0)
            + ((flags & TenantId) != 0 ? StringLength(info.TenantId) : 0)
            + ((flags & Scopes) != 0 ? ListLength(info.Scopes) : 0)
            + ((flags & Roles) != 0 ? ListLength(info.Roles) : 0);
        if ((flags & Claims) != 0)
        {
            length += VarintLength((ulong)info.Claims.Count);
            foreach (var claim in info.Claims)
            {
                length += StringLength(claim?.Type) + StringLength(claim?.Value);
            }
        }

        var bytes = new byte[length];
        var writer = new Writer(bytes);
        writer.Byte(Version);
        writer.Varint((ulong)flags);
        writer.Varint(Zigzag(expires));
        if ((flags & IssuedAt) != 0)
        {
            writer.Varint(issuedBefore);
        }

        if ((flags & NotBefore) != 0)
        {
            writer.Varint(notBeforeBefore);
        }

        if ((flags & Subject) != 0)
        {
            writer.String(info.Subject);
        }

        if ((flags & Name) != 0)
        {
            writer.String(info.Name);
        }

        if ((flags & ClientId) != 0)
        {
            writer.String(info.ClientId);
        }

        if ((flags & TenantId) != 0)
        {
            writer.String(info.TenantId);
        }

        if ((flags & Scopes) != 0)
        {
            writer.List(info.Scopes);
        }

        if ((flags & Roles) != 0)
        {
            writer.List(info.Roles);
        }

        if ((flags & Claims) != 0)
        {
            writer.Varint((ulong)info.Claims.Count);
            foreach (var claim in info.Claims)
            {
                writer.String(claim?.Type);
                writer.String(claim?.Value);
            }
        }

        System.Diagnostics.Debug.Assert(writer.Position == length, "measured and written lengths differ");
        return bytes;
    }

    /// <summary>Decodes a value <see cref="Serialize"/> wrote.</summary>
    /// <exception cref="FormatException">The bytes are not such a value (never echoed: they came from a backend).</exception>
    public static TokenInfo Deserialize(ReadOnlySpan<byte> value)
    {
        var reader = new Reader(value);
        if (reader.Byte() != Version)
        {
            throw new FormatException("A stored token is not in a known format.");
        }

        var flags = reader.Varint();
        if ((flags & ~(ulong)Known) != 0)
        {
            throw new FormatException("A stored token names members this version does not know.");
        }

        var expires = Unzigzag(reader.Varint());
        var issued = (flags & IssuedAt) != 0 ? Instant(expires - Unzigzag(reader.Varint())) : (DateTimeOffset?)null;
        var notBefore = (flags & NotBefore) != 0 ? Instant(expires - Unzigzag(reader.Varint())) : (DateTimeOffset?)null;
        var info = new TokenInfo
        {
            ExpiresAt = Instant(expires),
            IssuedAt = issued,
            NotBefore = notBefore,
            Subject = (flags & Subject) != 0 ? reader.String() : null,
            Name = (flags & Name) != 0 ? reader.String() : null,
            ClientId = (flags & ClientId) != 0 ? reader.String() : null,
            TenantId = (flags & TenantId) != 0 ? reader.String() : null,
            Scopes = (flags & Scopes) != 0 ? reader.List() : [],
            Roles = (flags & Roles) != 0 ? reader.List() : [],
            Claims = (flags & Claims) != 0 ? reader.Claims() : [],
        };
        if (!reader.AtEnd)
        {
            throw new FormatException("A stored token has bytes after its last member.");
        }

        return info;
    }

    /// <summary>Unix milliseconds; whole ticks below a millisecond go down, or up when <paramref name="roundUp"/>.</summary>
    private static long Milliseconds(DateTimeOffset instant, bool roundUp)
    {
        var ticks = instant.UtcTicks - DateTime.UnixEpoch.Ticks;
        var milliseconds = Math.DivRem(ticks, TimeSpan.TicksPerMillisecond, out var rest);
        if (rest < 0)
        {
            // Before 1970 DivRem rounds toward zero: make it a floor.
            milliseconds--;
            rest += TimeSpan.TicksPerMillisecond;
        }

        return roundUp && rest > 0 && milliseconds < MaxMilliseconds ? milliseconds + 1 : milliseconds;
    }

    private static DateTimeOffset Instant(long milliseconds)
        => milliseconds >= MinMilliseconds && milliseconds <= MaxMilliseconds
            ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)
            : throw new FormatException("A stored token has an instant out of range.");

    private static ulong Zigzag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static long Unzigzag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static int VarintLength(ulong value)
    {
        var length = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            length++;
        }

        return length;
    }

    private static int StringLength(string? value)
    {
        if (value is null)
        {
            return 1;
        }

        var bytes = Utf8.GetByteCount(value);
        return VarintLength((ulong)bytes + 1) + bytes;
    }

    private static int ListLength(IReadOnlyList<string> values)
    {
        var length = VarintLength((ulong)values.Count);
        foreach (var value in values)
        {
            length += StringLength(value);
        }

        return length;
    }

    private ref struct Writer(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;

        public int Position { get; private set; }

        public void Byte(byte value) => _destination[Position++] = value;

        public void Varint(ulong value)
        {
            while (value >= 0x80)
            {
                _destination[Position++] = (byte)(value | 0x80);
                value >>= 7;
            }

            _destination[Position++] = (byte)value;
        }

        public void String(string? value)
        {
            if (value is null)
            {
                Varint(0);
                return;
            }

            Varint((ulong)Utf8.GetByteCount(value) + 1);
            Position += Utf8.GetBytes(value, _destination[Position..]);
        }

        public void List(IReadOnlyList<string> values)
        {
            Varint((ulong)values.Count);
            foreach (var value in values)
            {
                String(value);
            }
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> source)
    {
        private readonly ReadOnlySpan<byte> _source = source;
        private int _position;

        public readonly bool AtEnd => _position == _source.Length;

        public byte Byte() => _position < _source.Length ? _source[_position++] : throw Truncated();

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var next = Byte();
                if (shift == 63 && next > 1)
                {
                    break;
                }

                value |= (ulong)(next & 0x7F) << shift;
                if (next < 0x80)
                {
                    return value;
                }
            }

            throw new FormatException("A stored token has an integer out of range.");
        }

        public string? String()
        {
            var length = Varint();
            if (length == 0)
            {
                return null;
            }

            var bytes = Take(length - 1);
            return Utf8.GetString(bytes);
        }

        public string[] List()
        {
            var values = new string[Count()];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = String()!;
            }

            return values;
        }

        public TokenClaim[] Claims()
        {
            // Two bytes at least per claim (two strings).
            var claims = new TokenClaim[Count()];
            for (var i = 0; i < claims.Length; i++)
            {
                claims[i] = new TokenClaim(String()!, String()!);
            }

            return claims;
        }

        /// <summary>A list's count, bounded by the bytes left (each entry takes one at least), so noise cannot allocate much.</summary>
        private int Count()
        {
            var count = Varint();
            return count <= (ulong)(_source.Length - _position) ? (int)count : throw Truncated();
        }

        private ReadOnlySpan<byte> Take(ulong length)
        {
            if (length > (ulong)(_source.Length - _position))
            {
                throw Truncated();
            }

            var bytes = _source.Slice(_position, (int)length);
            _position += (int)length;
            return bytes;
        }

        private static FormatException Truncated() => new("A stored token is truncated.");
    }
}
