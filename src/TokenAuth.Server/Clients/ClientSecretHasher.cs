using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth.Server;

/// <summary>
/// Hashes client secrets and user passwords, and verifies them in constant time. The stored string says which
/// hash it is:
/// <list type="bullet">
/// <item><c>SHA256$&lt;hash, base64&gt;</c> — for generated secrets (<see cref="GenerateSecret"/>: 256 random bits).
/// With that much entropy a fast hash is as safe as a slow one, and verifying costs microseconds, so a token
/// endpoint can issue thousands of tokens a second. This is what Duende IdentityServer stores for client secrets.</item>
/// <item><c>PBKDF2-SHA256$&lt;iterations&gt;$&lt;salt, base64&gt;$&lt;hash, base64&gt;</c> — for human-chosen secrets and
/// passwords, which a fast hash would expose to guessing if the hashes leaked. About 20 ms a verification at the
/// default 100,000 iterations.</item>
/// </list>
/// Failed verifications all take the same wall-clock time whatever the format (the server answers them no sooner
/// than <see cref="FailedAuthenticationOptions.MinimumDuration"/>).
/// </summary>
public static class ClientSecretHasher
{
    private const string Pbkdf2Prefix = "PBKDF2-SHA256";
    private const string Sha256Prefix = "SHA256";
    private const int SaltSize = 16;
    private const int HashSize = 32;

    /// <summary>The shortest secret <see cref="HashGenerated"/> accepts: 43 characters, the base64url form of 256 bits.</summary>
    public const int MinimumGeneratedSecretLength = 43;

    /// <summary>The default iteration count.</summary>
    public const int DefaultIterations = 100_000;

    /// <summary>A new client secret: 256 bits from the OS CSPRNG, base64url (43 characters). Store it with <see cref="HashGenerated"/>.</summary>
    /// <returns>The secret, to hand to the client once.</returns>
    public static string GenerateSecret() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Hashes a human-chosen secret or password with PBKDF2-HMAC-SHA256 and a random salt.</summary>
    /// <param name="secret">The plaintext secret.</param>
    /// <param name="iterations">The PBKDF2 iteration count.</param>
    /// <returns>The hash string to store.</returns>
    public static string Hash(string secret, int iterations = DefaultIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1000);
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, HashSize);
        return string.Join('$', Pbkdf2Prefix, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>
    /// Hashes a generated secret (<see cref="GenerateSecret"/>) with SHA-256. Refuses secrets shorter than
    /// <see cref="MinimumGeneratedSecretLength"/>: a short or human-chosen secret needs <see cref="Hash"/>.
    /// </summary>
    /// <param name="secret">The generated secret.</param>
    /// <returns>The hash string to store.</returns>
    public static string HashGenerated(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length < MinimumGeneratedSecretLength)
        {
            throw new ArgumentException($"A secret hashed with SHA-256 must have at least {MinimumGeneratedSecretLength} characters (256 random bits); hash human-chosen secrets with {nameof(Hash)}.", nameof(secret));
        }

        return Sha256Prefix + "$" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }

    /// <summary>Checks <paramref name="secret"/> against <paramref name="hash"/> in constant time.</summary>
    /// <param name="secret">The secret the client presented.</param>
    /// <param name="hash">A stored hash, in either format.</param>
    /// <returns>Whether they match. A malformed hash never matches.</returns>
    public static bool Verify(string secret, string hash)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(hash);
        var parts = hash.Split('$');
        return parts switch
        {
            [Sha256Prefix, var digest] => VerifySha256(secret, digest),
            [Pbkdf2Prefix, var iterations, var salt, var digest] => VerifyPbkdf2(secret, iterations, salt, digest),
            _ => false,
        };
    }

    /// <summary>Whether <paramref name="hash"/> is in a format <see cref="Verify"/> understands.</summary>
    /// <param name="hash">A stored hash.</param>
    /// <returns><see langword="true"/> for a well-formed SHA-256 or PBKDF2 hash.</returns>
    public static bool IsWellFormed(string hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        var parts = hash.Split('$');
        return parts switch
        {
            [Sha256Prefix, var digest] => Decode(digest)?.Length == HashSize,
            [Pbkdf2Prefix, var iterations, var salt, var digest] => ParseIterations(iterations) is not null && Decode(salt) is not null && Decode(digest)?.Length == HashSize,
            _ => false,
        };
    }

    /// <summary>Checks the secret against every hash of a client; <see langword="false"/> for an unknown client (no hashes).</summary>
    internal static bool VerifyAny(string secret, IEnumerable<string>? hashes)
    {
        if (hashes is null)
        {
            return false;
        }

        var matched = false;
        foreach (var hash in hashes)
        {
            // No early exit: which of several hashes matched is not told by the time taken.
            matched |= Verify(secret, hash);
        }

        return matched;
    }

    private static bool VerifySha256(string secret, string digest)
    {
        // An empty or truncated hash would be compared over its own length only: "" would match every secret.
        if (Decode(digest) is not { Length: HashSize } expected)
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[HashSize];
        SHA256.HashData(Encoding.UTF8.GetBytes(secret), actual);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static bool VerifyPbkdf2(string secret, string iterationsText, string saltText, string digest)
    {
        if (ParseIterations(iterationsText) is not { } iterations || Decode(saltText) is not { } salt || Decode(digest) is not { Length: HashSize } expected)
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, HashSize);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static int? ParseIterations(string text)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) && iterations is >= 1000 and <= 10_000_000 ? iterations : null;

    private static byte[]? Decode(string base64)
    {
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
