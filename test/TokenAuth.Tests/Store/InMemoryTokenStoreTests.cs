using Microsoft.Extensions.Time.Testing;

namespace TokenAuth.Tests.Store;

public class InMemoryTokenStoreTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private TokenInfo Info(TimeSpan lifetime) => new() { Subject = "u", ExpiresAt = _time.GetUtcNow() + lifetime };

    [Fact]
    public async Task Find_BeforeExpiry_ReturnsEntry_AfterExpiry_ReturnsNull()
    {
        var store = new InMemoryTokenStore(_time);
        var hash = TokenHash.Compute("t");
        await store.SaveAsync(hash, Info(TimeSpan.FromMinutes(5)));

        Assert.Equal("u", (await store.FindAsync(hash))?.Subject);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(await store.FindAsync(hash));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task Remove_DeletesEntry()
    {
        var store = new InMemoryTokenStore(_time);
        var hash = TokenHash.Compute("t");
        await store.SaveAsync(hash, Info(TimeSpan.FromMinutes(5)));

        await store.RemoveAsync(hash);

        Assert.Null(await store.FindAsync(hash));
    }

    [Fact]
    public async Task Save_SweepsExpiredEntries()
    {
        var store = new InMemoryTokenStore(_time);
        for (var i = 0; i < 100; i++)
        {
            await store.SaveAsync(TokenHash.Compute("old" + i), Info(TimeSpan.FromSeconds(30)));
        }

        _time.Advance(TimeSpan.FromMinutes(2));
        await store.SaveAsync(TokenHash.Compute("new"), Info(TimeSpan.FromMinutes(5)));

        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task Save_WithoutExpiry_Throws()
    {
        var store = new InMemoryTokenStore(_time);

        await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync(TokenHash.Compute("t"), new TokenInfo { Subject = "u" }));
    }

    [Fact]
    public void TokenHash_IsSha256Hex()
    {
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", TokenHash.Compute("abc").Value);
        Assert.Equal("ba7816bf8f01", TokenHash.Compute("abc").Prefix);
        // A token longer than the stack buffer (hashed through a rented array): SHA-256 of 5,000 'x', and one more 'x' differs.
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(new string('x', 5000)))), TokenHash.Compute(new string('x', 5000)).Value);
        Assert.NotEqual(TokenHash.Compute(new string('x', 5000)), TokenHash.Compute(new string('x', 5001)));
    }
}
