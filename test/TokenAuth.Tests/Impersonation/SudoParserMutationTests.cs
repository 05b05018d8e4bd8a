namespace TokenAuth.Tests.Impersonation;

/// <summary>
/// What mutation testing (test/mutation.sh) found <see cref="SudoParserTests"/> did not pin: the 254-character bound on an
/// email (RFC 5321 §4.5.3.1.3's path limit less the angle brackets), which the default
/// <see cref="SudoOptions.MaxValueLength"/> of 128 hides.
/// </summary>
public class SudoParserMutationTests
{
    // The largest MaxValueLength the options accept: only the email's own bound decides.
    private static readonly SudoOptions Roomy = new() { MaxValueLength = 4096 };

    [Theory]
    [InlineData(254, true)]
    [InlineData(255, false)]
    public void TryParse_EmailOfLength_AcceptedUpTo254Characters(int length, bool accepted)
    {
        // A 64-character local part (the pattern's own limit), then a domain that makes up the length.
        var email = new string('a', 64) + "@" + new string('b', length - 64 - 1 - ".com".Length) + ".com";
        Assert.Equal(length, email.Length);

        var ok = SudoParser.TryParse("email:" + email, Roomy, out var target, out _, out var error);

        Assert.Equal(accepted, ok);
        if (accepted)
        {
            Assert.Equal(new SudoTarget(SudoKind.Email, email), target);
        }
        else
        {
            Assert.Null(target);
            Assert.StartsWith("The sudo value is not a valid email.", error, StringComparison.Ordinal);
        }
    }
}
