namespace TokenAuth.Tests.Store;

/// <summary>What a TokenInfo keeps of its own derived values (made once, not per request) must not change what it is.</summary>
public sealed class TokenInfoTests
{
    private static readonly DateTimeOffset Expiry = new(2026, 1, 1, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Valid_SameInfo_SameResult_ACopyGetsItsOwn()
    {
        var info = new TokenInfo { Subject = "user-1", ExpiresAt = Expiry };
        var copy = info with { Subject = "user-2" };

        Assert.Same(TokenCheckResult.Valid(info), TokenCheckResult.Valid(info));
        Assert.Same(info, TokenCheckResult.Valid(info).Info);
        Assert.Same(copy, TokenCheckResult.Valid(copy).Info);
        Assert.Same(info, TokenCheckResult.Valid(info).Info);
    }

    [Fact]
    public void DerivedValues_FollowTheCopy_NotTheOriginal()
    {
        var info = new TokenInfo { Subject = "user-1", ExpiresAt = Expiry };
        Assert.Equal("1767229200", info.Derived.Expiration);

        var later = info with { ExpiresAt = Expiry.AddHours(1) };

        Assert.Equal("1767232800", later.Derived.Expiration);
        Assert.Equal("Thu, 01 Jan 2026 02:00:00 GMT", later.Derived.ExpiresText);
        Assert.Equal("1767229200", info.Derived.Expiration);
        Assert.Null(later.Derived.IssuedText);
    }

    [Fact]
    public void Equality_IgnoresWhetherDerivedValuesWereMade()
    {
        string[] scopes = ["read"];
        var used = new TokenInfo { Subject = "user-1", Scopes = scopes, ExpiresAt = Expiry };
        var fresh = new TokenInfo { Subject = "user-1", Scopes = scopes, ExpiresAt = Expiry };
        _ = used.Derived.Expiration;

        Assert.Equal(fresh, used);
        Assert.Equal(fresh.GetHashCode(), used.GetHashCode());
    }
}
