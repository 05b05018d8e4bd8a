namespace TokenAuth.Tests.Store;

/// <summary>The Redis store's value format: every member round-trips, times to the millisecond, noise is a FormatException.</summary>
public class CompactTokenInfoSerializerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>The sample's client-credentials shape with a user: what most stored tokens look like.</summary>
    internal static TokenInfo Representative(int i = 42, DateTimeOffset? now = null) => new()
    {
        Subject = $"user-{i:D7}",
        ClientId = "demo-client",
        Scopes = ["read", "write", "profile"],
        IssuedAt = now ?? Now,
        ExpiresAt = (now ?? Now).AddHours(1),
    };

    private static readonly System.Reflection.PropertyInfo[] Properties = typeof(TokenInfo).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance);

    private static TokenInfo RoundTrip(TokenInfo info) => CompactTokenInfoSerializer.Deserialize(CompactTokenInfoSerializer.Serialize(info));

    /// <summary>Every public property equal (lists element by element), found by reflection so that none is left out.</summary>
    private static void AssertSameMembers(TokenInfo expected, TokenInfo actual)
    {
        foreach (var property in Properties)
        {
            var written = property.GetValue(expected);
            var read = property.GetValue(actual);
            if (written is System.Collections.IEnumerable list and not string)
            {
                Assert.Equal(list.Cast<object>(), ((System.Collections.IEnumerable)read!).Cast<object>());
            }
            else
            {
                Assert.True(Equals(written, read), $"TokenInfo.{property.Name}: {written} was written, {read} read back.");
            }
        }
    }

    [Fact]
    public void Serialize_EveryMember_RoundTrips_OddCharactersAndLongStringsIncluded()
    {
        var odd = "quote\" backslash\\ nul\0 newline\n tab\t é ß 中文 🔑 \u202e end";
        var info = new TokenInfo
        {
            Subject = odd,
            Name = new string('n', 300),
            ClientId = "client:with/odd?chars&=",
            Scopes = ["read", "write", odd, string.Empty],
            Roles = ["admin", "ünïcödé"],
            TenantId = "t-100",
            IssuedAt = Now.AddMinutes(-5),
            NotBefore = Now.AddMinutes(-1),
            ExpiresAt = Now.AddHours(12),
            Claims = [new("department", "R&D"), new("json", "{\"a\":[1,2]}"), new(odd, odd), new("empty", string.Empty), new("long", new string('x', 20_000))],
        };

        AssertSameMembers(info, RoundTrip(info));
    }

    [Fact]
    public void Serialize_EveryPublicPropertyOfTokenInfo_RoundTrips_SoAnAddedOneCannotBeForgotten()
    {
        // Found by reflection, not listed: a property added to TokenInfo gets a value here, and the test fails until the
        // format carries it (or until a sample value for a new type is added below). Distinct values per property, so
        // that two members swapped by the format fail too.
        var properties = Properties;
        var info = new TokenInfo();
        for (var i = 0; i < properties.Length; i++)
        {
            var property = properties[i];
            object value = property.PropertyType switch
            {
                var t when t == typeof(string) => property.Name + "-value",
                var t when t == typeof(DateTimeOffset?) => Now.AddMinutes(i + 1),
                var t when t == typeof(IReadOnlyList<string>) => new[] { property.Name + "-1", property.Name + "-2" },
                var t when t == typeof(IReadOnlyList<TokenClaim>) => new[] { new TokenClaim(property.Name + "-type", property.Name + "-value") },
                var t => throw new Xunit.Sdk.XunitException($"TokenInfo.{property.Name} is a {t.Name}: give it a sample value here and carry it in CompactTokenInfoSerializer."),
            };
            property.SetValue(info, value);
        }

        Assert.NotEmpty(properties);
        AssertSameMembers(info, RoundTrip(info));
    }

    [Fact]
    public void Serialize_NullAndEmptyMembers_NullStaysNull_EmptyStaysEmpty_NullListsComeBackEmpty()
    {
        var info = new TokenInfo
        {
            Subject = null,
            Name = string.Empty,
            ClientId = null,
            TenantId = string.Empty,
            Scopes = ["a", null!, string.Empty],
            Roles = [],
            Claims = [new("type", null!), new(null!, "value")],
            ExpiresAt = Now.AddHours(1),
        };

        var back = RoundTrip(info);

        Assert.Null(back.Subject);
        Assert.Equal(string.Empty, back.Name);
        Assert.Null(back.ClientId);
        Assert.Equal(string.Empty, back.TenantId);
        Assert.Null(back.IssuedAt);
        Assert.Null(back.NotBefore);
        Assert.Equal(["a", null!, string.Empty], back.Scopes);
        Assert.Empty(back.Roles);
        Assert.Equal(info.Claims, back.Claims);
        Assert.Empty(RoundTrip(new TokenInfo { Scopes = null!, Roles = null!, Claims = null!, ExpiresAt = Now }).Scopes);
    }

    [Fact]
    public void Serialize_Times_KeptToTheMillisecondInUtc_TheValidityWindowNeverWidens()
    {
        var offset = TimeSpan.FromHours(2);
        var at = new DateTimeOffset(2026, 1, 1, 14, 0, 0, offset).AddTicks(1_234_567);   // 12:00:00.1234567 UTC
        var info = new TokenInfo { IssuedAt = at, NotBefore = at, ExpiresAt = at.AddHours(1) };

        var back = RoundTrip(info);

        // Expiry and issue time go down to the millisecond, not-before up: never accepted earlier nor longer.
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 13, 0, 0, 123, TimeSpan.Zero), back.ExpiresAt);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 12, 0, 0, 123, TimeSpan.Zero), back.IssuedAt);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 12, 0, 0, 124, TimeSpan.Zero), back.NotBefore);
        Assert.Equal(TimeSpan.Zero, back.ExpiresAt!.Value.Offset);
        // Whole milliseconds come back exactly, whatever the offset they were given in.
        var whole = new DateTimeOffset(2026, 1, 1, 14, 0, 0, 999, offset);
        Assert.Equal(whole, RoundTrip(new TokenInfo { IssuedAt = whole, ExpiresAt = whole.AddMilliseconds(1) }).IssuedAt);
    }

    [Fact]
    public void Serialize_ExtremeInstants_RoundTrip()
    {
        var info = new TokenInfo { IssuedAt = DateTimeOffset.MinValue, NotBefore = DateTimeOffset.UnixEpoch.AddMilliseconds(-1), ExpiresAt = new DateTimeOffset(9999, 12, 31, 23, 59, 59, 999, TimeSpan.Zero) };

        var back = RoundTrip(info);

        Assert.Equal(info.IssuedAt, back.IssuedAt);
        Assert.Equal(info.NotBefore, back.NotBefore);
        Assert.Equal(info.ExpiresAt, back.ExpiresAt);
    }

    [Fact]
    public void Serialize_RepresentativeToken_TakesFewerThan61Bytes()
    {
        // 61 bytes and more take Redis's next allocation size (an sds header of 3 and a NUL make 64): the budget test's margin.
        var bytes = CompactTokenInfoSerializer.Serialize(Representative());

        Assert.Equal(CompactTokenInfoSerializer.Version, bytes[0]);
        Assert.Equal(57, bytes.Length);
    }

    [Fact]
    public void Serialize_WithoutExpiry_Throws()
        => Assert.Throws<ArgumentException>(() => CompactTokenInfoSerializer.Serialize(new TokenInfo { Subject = "s" }));

    [Theory]
    [InlineData("")]
    [InlineData("02")]                            // another version
    [InlineData("7b22737562223a2273227d")]        // JSON: the old format is never read as the new one
    [InlineData("01")]                            // no member set
    [InlineData("0180")]                          // a varint cut short
    [InlineData("018004")]                        // a member this version does not know (bit 9)
    [InlineData("0100")]                          // no expiry
    [InlineData("01000200")]                      // a byte after the last member
    [InlineData("0101000a6162")]                  // a subject longer than what is left
    [InlineData("010400ff7f")]                    // a scope count far beyond the bytes left
    [InlineData("01040001ffffffff0f")]            // a scope longer than what is left
    [InlineData("0100ffffffffffffffffff02")]      // an integer of 10 bytes that overflows 64 bits
    [InlineData("0100feffffffffffffffff01")]      // an instant far beyond year 9999
    public void Deserialize_Noise_IsAFormatException(string hex)
        => Assert.Throws<FormatException>(() => CompactTokenInfoSerializer.Deserialize(Convert.FromHexString(hex)));
}
