using System.Security.Cryptography;
using System.Text;

namespace TokenAuth;

/// <summary>
/// The SHA-256 of a token, in lowercase hex. Stores key their entries by it and logs correlate by
/// its prefix, so that a raw token is never a key, never stored and never logged.
/// </summary>
public readonly record struct TokenHash
{
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    private TokenHash(string hex) => Value = hex;

    /// <summary>The 64 lowercase hex characters of the SHA-256 of the token's UTF-8 bytes.</summary>
    public string Value { get; }

    /// <summary>The first 12 hex characters: enough to correlate log lines, useless to an attacker.</summary>
    public string Prefix => Value[..12];

    /// <summary>Hashes <paramref name="token"/>.</summary>
    /// <param name="token">The raw token.</param>
    public static TokenHash Compute(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        ComputeBytes(token, hash);
        return new TokenHash(Convert.ToHexStringLower(hash));
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

        return new TokenHash(value);
    }

    /// <summary>Returns <see cref="Value"/>.</summary>
    public override string ToString() => Value;
}
