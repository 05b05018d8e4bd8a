using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace TokenAuth;

/// <summary>
/// The SHA-256 of a token. Stores key their entries by it and logs correlate by its prefix, so that a raw token is never
/// a key, never stored and never logged. The 32 bytes are held in the struct itself: computing, comparing and hashing a
/// <see cref="TokenHash"/> allocates nothing; <see cref="Value"/> writes the hex when it is asked for.
/// </summary>
public readonly record struct TokenHash
{
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    // The digest as four big-endian words, and whether this instance holds one (default(TokenHash) does not).
    private readonly ulong _word0;
    private readonly ulong _word1;
    private readonly ulong _word2;
    private readonly ulong _word3;
    private readonly bool _set;

    private TokenHash(ReadOnlySpan<byte> digest)
    {
        _word0 = BinaryPrimitives.ReadUInt64BigEndian(digest);
        _word1 = BinaryPrimitives.ReadUInt64BigEndian(digest[8..]);
        _word2 = BinaryPrimitives.ReadUInt64BigEndian(digest[16..]);
        _word3 = BinaryPrimitives.ReadUInt64BigEndian(digest[24..]);
        _set = true;
    }

    /// <summary>
    /// The 64 lowercase hex characters of the SHA-256 of the token's UTF-8 bytes (written on each call);
    /// <see langword="null"/> for <c>default(TokenHash)</c>.
    /// </summary>
    public string Value
    {
        get
        {
            if (!_set)
            {
                return null!;
            }

            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            CopyTo(digest);
            return Convert.ToHexStringLower(digest);
        }
    }

    /// <summary>The first 12 hex characters: enough to correlate log lines, useless to an attacker.</summary>
    public string Prefix
    {
        get
        {
            Span<byte> head = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(head, _word0);
            return Convert.ToHexStringLower(head[..6]);
        }
    }

    /// <summary>Hashes <paramref name="token"/>.</summary>
    /// <param name="token">The raw token.</param>
    public static TokenHash Compute(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        ComputeBytes(token, digest);
        return new TokenHash(digest);
    }

    /// <summary>Writes the SHA-256 of the token's UTF-8 bytes into <paramref name="hash"/> (32 bytes), allocating nothing.</summary>
    internal static void ComputeBytes(string token, Span<byte> hash)
    {
        var max = Encoding.UTF8.GetMaxByteCount(token.Length);
        var rented = max <= 1024 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(max);
        try
        {
            Span<byte> bytes = rented ?? stackalloc byte[max];
            var written = Encoding.UTF8.GetBytes(token, bytes);
            SHA256.HashData(bytes[..written], hash);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    /// <summary>Writes the 32 bytes of the digest into <paramref name="destination"/>.</summary>
    internal void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _word0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _word1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _word2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _word3);
    }

    /// <summary>A hash from its 32 bytes.</summary>
    internal static TokenHash FromBytes(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != SHA256.HashSizeInBytes)
        {
            throw new FormatException("A token hash is 32 bytes.");
        }

        return new TokenHash(digest);
    }

    /// <summary>
    /// A hash read back from a store that keeps <see cref="Value"/> as text (the grant store's family members):
    /// a store can return hashes it never saw the token of, but only well-formed ones.
    /// </summary>
    /// <param name="value">64 lowercase hex characters.</param>
    /// <exception cref="FormatException">The stored text is not such a hash.</exception>
    internal static TokenHash FromValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length != SHA256.HashSizeInBytes * 2 || value.AsSpan().ContainsAnyExcept(LowerHex))
        {
            // Never echo the text: it came from a backend and may be anything.
            throw new FormatException("A stored token hash is not 64 lowercase hex characters.");
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Convert.FromHexString(value, digest, out _, out _);
        return new TokenHash(digest);
    }

    /// <summary>A hash code from the digest's first word: uniform, since no client can choose a SHA-256 output.</summary>
    internal int BucketHash => (int)_word0 ^ (int)(_word0 >> 32);

    /// <summary>Returns <see cref="Value"/>.</summary>
    public override string ToString() => Value;
}
