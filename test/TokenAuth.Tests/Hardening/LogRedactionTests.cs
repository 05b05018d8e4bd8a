namespace TokenAuth.Tests.Hardening;

/// <summary>Backend exceptions as logged: keys shortened to 48 bits of the hash, everything else as it was.</summary>
public sealed class LogRedactionTests
{
    private const string Hex = "af7cda096c3f69671a61875aa27ce9f46ea96953583a3da9d6dd4542b7da67d1";
    private const string Base64Url = "r3zaCWw_aWcaYYdaonzp9G6paVNYOj2p1t1FQrfaZ9E";

    [Theory]
    [InlineData("Timeout performing GET (1000ms), inst: 0, key: tokenauth:at:" + Base64Url + ", mc: 1/1/0", "key: tokenauth:at:r3zaCWw_…, mc: 1/1/0")]
    [InlineData("Timeout performing HMGET (1000ms), key: tokenauth:c:introspection:" + Hex, "key: tokenauth:c:introspection:af7cda096c3f…")]
    [InlineData("WRONGTYPE Operation against a key holding the wrong kind of value", "WRONGTYPE Operation against a key holding the wrong kind of value")]
    [InlineData("No connection is active/available to service this operation: GET tokenauth:at:" + Base64Url, "GET tokenauth:at:r3zaCWw_…")]
    public void RedactText_KeepsFortyEightBitsOfAKey(string message, string expectedEnd)
    {
        var redacted = LogRedaction.RedactText(message);

        Assert.EndsWith(expectedEnd, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain(Hex, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain(Base64Url, redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_KeepsTypeStackAndInnerExceptions_RedactingThemToo()
    {
        Exception original;
        try
        {
            throw new InvalidOperationException("outer on tokenauth:at:" + Base64Url, new TimeoutException("inner on tokenauth:c:jwt:" + Hex));
        }
        catch (InvalidOperationException ex)
        {
            original = ex;
        }

        var logged = LogRedaction.Redact(original).ToString();

        Assert.Contains("System.InvalidOperationException: outer on tokenauth:at:r3zaCWw_…", logged, StringComparison.Ordinal);
        Assert.Contains("System.TimeoutException: inner on tokenauth:c:jwt:af7cda096c3f…", logged, StringComparison.Ordinal);
        Assert.Contains(nameof(Redact_KeepsTypeStackAndInnerExceptions_RedactingThemToo), logged, StringComparison.Ordinal);
        Assert.DoesNotContain(Base64Url, logged, StringComparison.Ordinal);
        Assert.DoesNotContain(Hex, logged, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_AnExceptionNamingNoKey_IsLoggedAsItIs()
    {
        var plain = new TimeoutException("The token store did not answer within 2000 ms.");

        Assert.Same(plain, LogRedaction.Redact(plain));
    }
}
