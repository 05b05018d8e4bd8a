using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using TokenAuth.Server;

namespace TokenAuth.Tests.Server;

public sealed class ClientSecretHasherTests
{
    private const int Iterations = 1000;

    [Theory]
    [InlineData("s1")]
    [InlineData("p@ss:w rd+")]
    [InlineData("秘密-🔑")]
    public void Hash_ThenVerify_RoundTrips(string secret)
    {
        var hash = ClientSecretHasher.Hash(secret, Iterations);

        Assert.True(ClientSecretHasher.Verify(secret, hash));
    }

    [Fact]
    public void Hash_Always_HasTheDocumentedFormat()
    {
        // A secret that base64 cannot produce by chance ('!' is not in its alphabet), so the last check cannot flake.
        var hash = ClientSecretHasher.Hash("not in base64!", Iterations);

        var parts = hash.Split('$');
        Assert.Equal(4, parts.Length);
        Assert.Equal("PBKDF2-SHA256", parts[0]);
        Assert.Equal("1000", parts[1]);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[3]).Length);
        Assert.DoesNotContain("not in base64!", hash, StringComparison.Ordinal);
    }

    [Fact]
    public void HashGenerated_GeneratedSecret_IsSha256AndRoundTrips()
    {
        var secret = ClientSecretHasher.GenerateSecret();

        var hash = ClientSecretHasher.HashGenerated(secret);

        Assert.Equal(43, secret.Length);
        Assert.Equal(32, Base64UrlEncoder.DecodeBytes(secret).Length);
        var parts = hash.Split('$');
        Assert.Equal(["SHA256", Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(secret)))], parts);
        Assert.True(ClientSecretHasher.Verify(secret, hash));
        Assert.True(ClientSecretHasher.IsWellFormed(hash));
        Assert.False(ClientSecretHasher.Verify(secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A'), hash));
        Assert.NotEqual(secret, ClientSecretHasher.GenerateSecret());
    }

    [Theory]
    [InlineData("")]
    [InlineData("demo-secret")]
    [InlineData("012345678901234567890123456789012345678901")]
    public void HashGenerated_ShortSecret_Throws(string secret)
        => Assert.Throws<ArgumentException>(() => ClientSecretHasher.HashGenerated(secret));

    [Theory]
    [InlineData("SHA256$")]
    [InlineData("SHA256$AAAA")]
    [InlineData("SHA256$!!!!")]
    [InlineData("SHA256$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$x")]
    [InlineData("sha256$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("MD5$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void Verify_MalformedSha256Hash_NeverMatchesAndIsNotWellFormed(string hash)
    {
        Assert.False(ClientSecretHasher.Verify(string.Empty, hash));
        Assert.False(ClientSecretHasher.Verify("x", hash));
        Assert.False(ClientSecretHasher.IsWellFormed(hash));
    }

    [Theory]
    [InlineData("s2")]
    [InlineData("S1")]
    [InlineData("s")]
    [InlineData("s1 ")]
    [InlineData("")]
    public void Verify_WrongSecret_ReturnsFalse(string wrong)
    {
        var hash = ClientSecretHasher.Hash("s1", Iterations);

        Assert.False(ClientSecretHasher.Verify(wrong, hash));
    }

    [Fact]
    public void Hash_SameSecretTwice_UsesDifferentSalts()
    {
        var first = ClientSecretHasher.Hash("s1", Iterations);
        var second = ClientSecretHasher.Hash("s1", Iterations);

        Assert.NotEqual(first, second);
        Assert.NotEqual(first.Split('$')[2], second.Split('$')[2]);
        Assert.NotEqual(first.Split('$')[3], second.Split('$')[3]);
        Assert.True(ClientSecretHasher.Verify("s1", first));
        Assert.True(ClientSecretHasher.Verify("s1", second));
    }

    [Fact]
    public void Verify_HashWithOtherIterationCount_UsesTheStoredCount()
    {
        var hash = ClientSecretHasher.Hash("s1", 1500);

        Assert.True(ClientSecretHasher.Verify("s1", hash));
        Assert.False(ClientSecretHasher.Verify("s1", hash.Replace("$1500$", "$1000$", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("PBKDF2-SHA1$1000${salt}${hash}")]
    [InlineData("pbkdf2-sha256$1000${salt}${hash}")]
    [InlineData("PBKDF2-SHA256$abc${salt}${hash}")]
    [InlineData("PBKDF2-SHA256$+1000${salt}${hash}")]
    [InlineData("PBKDF2-SHA256$ 1000${salt}${hash}")]
    [InlineData("PBKDF2-SHA256$99999999999${salt}${hash}")]
    [InlineData("PBKDF2-SHA256$1000${salt}")]
    [InlineData("PBKDF2-SHA256${salt}${hash}")]
    [InlineData("PBKDF2-SHA256$1000${salt}${hash}$extra")]
    [InlineData("PBKDF2-SHA256$1000$not base64!${hash}")]
    [InlineData("PBKDF2-SHA256$1000${salt}$not base64!")]
    [InlineData("PBKDF2-SHA256$999${salt}${hash}")]
    [InlineData("PBKDF2-SHA256$-1000${salt}${hash}")]
    [InlineData("PBKDF2-SHA256$0${salt}${hash}")]
    [InlineData("PBKDF2-SHA256$10000001${salt}${hash}")]
    [InlineData("PBKDF2-SHA256$1000${salt}$")]
    [InlineData("$$$")]
    [InlineData("{hash}")]
    public void Verify_MalformedHash_ReturnsFalseWithoutThrowing(string template)
    {
        // The placeholders are the pieces of a real hash of "s1", so only the malformed part can make it fail.
        var parts = ClientSecretHasher.Hash("s1", Iterations).Split('$');
        var hash = template.Replace("{salt}", parts[2], StringComparison.Ordinal).Replace("{hash}", parts[3], StringComparison.Ordinal);

        var result = ClientSecretHasher.Verify("s1", hash);

        Assert.False(result);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(999)]
    public void Verify_CorrectHashBelowMinimumIterations_ReturnsFalse(int iterations)
    {
        // A genuine PBKDF2 of the right secret: only the iteration floor refuses it.
        var hash = Format(iterations, RandomNumberGenerator.GetBytes(16), "s1", 32);

        Assert.False(ClientSecretHasher.Verify("s1", hash));
        Assert.True(ClientSecretHasher.Verify("s1", Format(1000, Convert.FromBase64String(hash.Split('$')[2]), "s1", 32)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(31)]
    public void Verify_TruncatedHash_DoesNotMatch(int length)
    {
        // PBKDF2 output truncated to a shorter length is a prefix of the full output, so a verifier that compares
        // over the stored length would accept these; with length 0 it would accept every secret.
        var parts = ClientSecretHasher.Hash("s1", Iterations).Split('$');
        var truncated = string.Join('$', parts[0], parts[1], parts[2], Convert.ToBase64String(Convert.FromBase64String(parts[3])[..length]));

        Assert.False(ClientSecretHasher.Verify("s1", truncated));
        Assert.False(ClientSecretHasher.Verify("any other secret", truncated));
    }

    [Fact]
    public void Verify_NullArguments_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ClientSecretHasher.Verify(null!, "x"));
        Assert.Throws<ArgumentNullException>(() => ClientSecretHasher.Verify("s1", null!));
    }

    [Theory]
    [InlineData("", 1000)]
    [InlineData("s1", 999)]
    public void Hash_EmptySecretOrTooFewIterations_Throws(string secret, int iterations)
    {
        Assert.ThrowsAny<ArgumentException>(() => ClientSecretHasher.Hash(secret, iterations));
    }

    private static string Format(int iterations, byte[] salt, string secret, int length)
    {
        var derived = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, iterations, HashAlgorithmName.SHA256, length);
        return string.Join('$', "PBKDF2-SHA256", iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(derived));
    }
}
