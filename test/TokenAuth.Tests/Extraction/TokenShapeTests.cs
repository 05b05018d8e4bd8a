namespace TokenAuth.Tests.Extraction;

public class TokenShapeTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("d1186597-aeb4-4214-b176-08ec09b1f1ed")]
    [InlineData("a.b.c")]
    [InlineData("ab+/c==")]
    public void Check_PrintableToken_Passes(string token) => Assert.Null(TokenShape.Check(token, 100));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a b", "characters")]
    [InlineData("a\tb", "characters")]
    [InlineData("a\u0000b", "characters")]
    [InlineData("tök", "characters")]
    [InlineData("a\u007Fb", "characters")]
    public void Check_BadToken_Fails(string token, string reason) => Assert.Contains(reason, TokenShape.Check(token, 100), StringComparison.Ordinal);

    [Fact]
    public void Check_OverLong_Fails()
    {
        Assert.Null(TokenShape.Check(new string('a', 100), 100));
        Assert.Contains("longer", TokenShape.Check(new string('a', 101), 100), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", true)]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", true)]
    [InlineData("opaque-token", false)]
    [InlineData("a.b", false)]
    [InlineData("a.b.c.d.e", false)]
    [InlineData(".b.c", false)]
    [InlineData("a..c", false)]
    [InlineData("a+b.c.d", false)]
    public void LooksLikeJwt_ThreeBase64UrlSegments(string token, bool expected) => Assert.Equal(expected, TokenShape.LooksLikeJwt(token));
}
