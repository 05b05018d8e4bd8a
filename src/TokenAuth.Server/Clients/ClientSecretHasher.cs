using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TokenAuth.Server;

/// <summary>
/// Hashes client secrets with PBKDF2-HMAC-SHA256 and a random salt, and verifies them in constant time.
/// Format: <c>PBKDF2-SHA256$&lt;iterations&gt;$&lt;salt, base64&gt;$&lt;hash, base64&gt;</c>.
/// </summary>
public static class ClientSecretHasher
{
    private const string Prefix = "PBKDF2-SHA256";
    private const int SaltSize = 16;
    private const int HashSize = 32;

    /// <summary>The default iteration count.</summary>
    public const int DefaultIterations = 100_000;

    // Verified against when the client is unknown, so that the answer takes as long as for a known one.
    private static readonly string DummyHash = Hash("not-a-client-secret", DefaultIterations);

    /// <summary>Hashes <paramref name="secret"/>.</summary>
    /// <param name="secret">The plaintext secret.</param>
    /// <param name="iterations">The PBKDF2 iteration count.</param>
    /// <returns>The hash string to store.</returns>
    public static string Hash(string secret, int iterations = DefaultIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1000);
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, HashSize);
        return string.Join('$', Prefix, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Checks <paramref name="secret"/> against <paramref name="hash"/> in constant time.</summary>
    /// <param name="secret">The secret the client presented.</param>
    /// <param name="hash">A stored hash.</param>
    /// <returns>Whether they match. A malformed hash never matches.</returns>
    public static bool Verify(string secret, string hash)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(hash);
        var parts = hash.Split('$');
        if (parts.Length != 4 || parts[0] != Prefix
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations is < 1000 or > 10_000_000)
        {
            return false;
        }

        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        // An empty or truncated hash would be compared over its own length only: "" would match every secret.
        if (expected.Length != HashSize)
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Checks the secret against every hash of a client, or against a dummy when the client is unknown.</summary>
    internal static bool VerifyAny(string secret, IEnumerable<string>? hashes)
    {
        if (hashes is null)
        {
            Verify(secret, DummyHash);
            return false;
        }

        var matched = false;
        foreach (var hash in hashes)
        {
            // No early exit: every hash costs the same, whichever one matches.
            matched |= Verify(secret, hash);
        }

        return matched;
    }
}
