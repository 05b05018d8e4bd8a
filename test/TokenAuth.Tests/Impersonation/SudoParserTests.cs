namespace TokenAuth.Tests.Impersonation;

/// <summary>
/// <see cref="SudoParser.TryParse"/> on its own: every accepted form and case variant, and a table of malformed
/// values as they reach the parser (after the one URL decode the server does), each refused with the accepted forms.
/// </summary>
public class SudoParserTests
{
    private static readonly SudoOptions Defaults = new();

    [Theory]
    [InlineData("uid:1001", SudoKind.Uid, "1001")]
    [InlineData("UID:1001", SudoKind.Uid, "1001")]
    [InlineData("Uid:1001", SudoKind.Uid, "1001")]
    [InlineData("uid:5f2b9c1e-4a7d-4c1b-9e3a-1c2d3e4f5a6b", SudoKind.Uid, "5f2b9c1e-4a7d-4c1b-9e3a-1c2d3e4f5a6b")]
    [InlineData("uid:user_42.v2", SudoKind.Uid, "user_42.v2")]
    [InlineData("loginName:alice", SudoKind.LoginName, "alice")]
    [InlineData("LOGINNAME:alice", SudoKind.LoginName, "alice")]
    [InlineData("loginname:Alice", SudoKind.LoginName, "Alice")]
    [InlineData("loginName:alice.globex", SudoKind.LoginName, "alice.globex")]
    [InlineData("loginName:张三", SudoKind.LoginName, "张三")]
    [InlineData("email:alice@example.com", SudoKind.Email, "alice@example.com")]
    [InlineData("Email:Alice@Example.COM", SudoKind.Email, "Alice@Example.COM")]
    [InlineData("EMAIL:first.last+tag@sub.example.co.uk", SudoKind.Email, "first.last+tag@sub.example.co.uk")]
    [InlineData("mobile:13800000001", SudoKind.Mobile, "13800000001")]
    [InlineData("MoBiLe:13800000001", SudoKind.Mobile, "13800000001")]
    [InlineData("mobile:+8613800000001", SudoKind.Mobile, "+8613800000001")]
    [InlineData("mobile:12345", SudoKind.Mobile, "12345")]
    [InlineData("mobile:123456789012345", SudoKind.Mobile, "123456789012345")]
    public void TryParse_AcceptedForm_ReturnsKindAndValue(string raw, SudoKind kind, string value)
    {
        var ok = SudoParser.TryParse(raw, Defaults, out var target, out var deprecated, out var error);

        Assert.True(ok, error);
        Assert.Null(error);
        Assert.False(deprecated);
        Assert.Equal(new SudoTarget(kind, value), target);
    }

    [Theory]
    [InlineData("  uid:1001  ", "1001")]
    [InlineData("uid:  1001", "1001")]
    [InlineData("\tuid:1001\t", "1001")]
    [InlineData("uid:1001\n", "1001")]
    [InlineData(" uid :1001", "1001")]
    public void TryParse_SurroundingWhitespace_IsTrimmed(string raw, string value)
    {
        var ok = SudoParser.TryParse(raw, Defaults, out var target, out _, out var error);

        Assert.True(ok, error);
        Assert.Equal(SudoKind.Uid, target!.Kind);
        Assert.Equal(value, target.Value);
    }

    [Theory]
    [InlineData("username:alice", "alice")]
    [InlineData("USERNAME:alice", "alice")]
    [InlineData("UserName: bob ", "bob")]
    public void TryParse_UsernameAlias_IsLoginNameFlaggedDeprecated(string raw, string value)
    {
        var ok = SudoParser.TryParse(raw, Defaults, out var target, out var deprecated, out var error);

        Assert.True(ok, error);
        Assert.True(deprecated);
        Assert.Equal(new SudoTarget(SudoKind.LoginName, value), target);
        Assert.Equal("loginName:" + value, target!.ToString());
    }

    [Theory]
    [InlineData("username:alice")]
    [InlineData("USERNAME:alice")]
    public void TryParse_UsernameAliasSwitchedOff_Fails(string raw)
    {
        var options = new SudoOptions { AllowUsernameAlias = false };

        var ok = SudoParser.TryParse(raw, options, out var target, out _, out var error);

        Assert.False(ok);
        Assert.Null(target);
        Assert.Contains("loginName:", error, StringComparison.Ordinal);
        AssertListsAcceptedForms(error);
    }

    [Fact]
    public void TryParse_LoginNamePercentSequence_IsTakenLiterallyNotDecodedAgain()
    {
        // The server decodes the query once; a value that still holds %xx is the user's literal text.
        var ok = SudoParser.TryParse("loginName:al%69ce", Defaults, out var target, out _, out var error);

        Assert.True(ok, error);
        Assert.Equal("al%69ce", target!.Value);
    }

    [Fact]
    public void TryParse_ValueAtMaxLength_Succeeds()
    {
        var ok = SudoParser.TryParse("loginName:" + new string('a', 128), Defaults, out var target, out _, out var error);

        Assert.True(ok, error);
        Assert.Equal(128, target!.Value.Length);
    }

    [Fact]
    public void TryParse_ValueOverConfiguredMaxLength_Fails()
    {
        var options = new SudoOptions { MaxValueLength = 8 };

        var ok = SudoParser.TryParse("loginName:abcdefghi", options, out var target, out _, out var error);

        Assert.False(ok);
        Assert.Null(target);
        Assert.Contains("longer than 8", error, StringComparison.Ordinal);
        AssertListsAcceptedForms(error);
    }

    public static TheoryData<string> Malformed() => new()
    {
        // nothing, or no kind
        string.Empty,
        "   ",
        "\t",
        "1001",
        "alice",
        ":1001",
        " :1001",
        // unknown or misspelt kinds
        "id:1001",
        "user:alice",
        "login_name:alice",
        "login:alice",
        "phone:13800000001",
        "mail:alice@example.com",
        "uidx:1001",
        "u id:1001",
        "\u0000uid:1001",
        "ｕｉｄ:1001",
        // a kind with no value
        "uid:",
        "uid:   ",
        "loginName:",
        "email:",
        "mobile:",
        "username:",
        // bad uids
        "uid::1",
        "uid:10 01",
        "uid:1001;drop",
        "uid:1001/2",
        "uid:10\u000001",
        "uid:1001\u0000",
        "uid:10\u001b01",
        "uid:\u200b1001",
        "uid:１００１",
        "uid:" + new string('1', 129),
        // percent-encoded tricks as they arrive after one decode
        "uid%3A1001",
        "uid%3a1001",
        "uid:10%0001",
        "uid:1001%00",
        "uid:%31001",
        // bad login names
        "loginName:al ice",
        "loginName:al\tice",
        "loginName:a:b",
        "loginName:al\"ice",
        "loginName:al\\ice",
        "loginName:al\u0007ice",
        "loginName:" + new string('a', 129),
        // bad emails
        "email:alice",
        "email:alice@",
        "email:@example.com",
        "email:alice@example",
        "email:alice@example.",
        "email:alice@.com",
        "email:alice@.example.com",
        "email:alice@@example.com",
        "email:al ice@example.com",
        "email:alice@exa mple.com",
        "email:alice@example..com",
        "email:alice@example.com.",
        "email:.alice@example.com",
        "email:alice.@example.com",
        "email:alice..b@example.com",
        "email:\"alice\"@example.com",
        "email:alice@example.com\u0000",
        "email:" + new string('a', 65) + "@example.com",
        // bad mobiles
        "mobile:1234",
        "mobile:1234567890123456",
        "mobile:138-0000-0001",
        "mobile:138 0000 0001",
        "mobile:(138)00000001",
        "mobile:++8613800000001",
        "mobile:86+13800000001",
        "mobile:+",
        "mobile:1380000000a",
        "mobile:１３８００００００01",
        "mobile:13800000001\u0000",
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryParse_Malformed_FailsListingAcceptedForms(string raw)
    {
        var ok = SudoParser.TryParse(raw, Defaults, out var target, out _, out var error);

        Assert.False(ok, $"'{raw}' was accepted as {target}");
        Assert.Null(target);
        Assert.StartsWith("The sudo value ", error, StringComparison.Ordinal);
        AssertListsAcceptedForms(error);
    }

    [Theory]
    [InlineData(SudoKind.Uid, "uid")]
    [InlineData(SudoKind.LoginName, "loginName")]
    [InlineData(SudoKind.Email, "email")]
    [InlineData(SudoKind.Mobile, "mobile")]
    public void Prefix_EachKind_IsTheCanonicalForm(SudoKind kind, string prefix)
    {
        Assert.Equal(prefix, SudoParser.Prefix(kind));
        Assert.Equal(prefix + ":x", new SudoTarget(kind, "x").ToString());
    }

    private static void AssertListsAcceptedForms(string? error)
    {
        Assert.NotNull(error);
        Assert.Contains("Accepted forms:", error, StringComparison.Ordinal);
        foreach (var form in new[] { "uid:<id>", "loginName:<name>", "email:<address>", "mobile:<number>" })
        {
            Assert.Contains(form, error, StringComparison.Ordinal);
        }
    }
}
