using System.Security.Cryptography;
using System.Text;

namespace TokenAuth.Tests.Hostile;

internal static partial class HostileCorpus
{
    /// <summary>
    /// Token values (opaque, through the sample's store): the shape guard (RFC 6750 §2.1 b64token: visible ASCII, no
    /// spaces; empty; over 8 KiB), the Authorization scheme (RFC 9110 §11.1: case-insensitive, then one or more SP),
    /// and look-alikes of a real token. None may authenticate; none may reach a 500.
    /// </summary>
    private static IEnumerable<HostileRow> Tokens()
    {
        static HostileRow Row(string name, Func<HostileContext, HttpRequestMessage> request, Expect expect) => new("tokens", name, request, expect);

        var bad = new (string Name, string Token)[]
        {
            ("NUL inside", "abc\0def"),
            ("NUL at the end", "abcdef\0"),
            ("SOH control character", "abc\u0001def"),
            ("unit separator 0x1F", "abc\u001Fdef"),
            ("DEL 0x7F", "abc\u007Fdef"),
            ("tab inside", "abc\tdef"),
            ("CR LF inside (header injection)", "abc\r\nX-Injected: 1"),
            ("lone LF inside", "abc\ndef"),
            ("NEL U+0085", "abc\u0085def"),
            ("non-ASCII é", "tok\u00E9n"),
            ("Cyrillic", "\u0442\u043E\u043A\u0435\u043D"),
            ("emoji (surrogate pair)", "tok\uD83D\uDD11en"),
            ("byte-order mark first", "\uFEFFabcdef"),
            ("zero-width space inside", "abc\u200Bdef"),
            ("right-to-left override", "abc\u202Edef"),
            ("full-width letters", "\uFF21\uFF22\uFF23"),
            ("a space inside", "abc def"),
        };

        yield return Row("baseline: the demo token in the Authorization header", c => Get("/api/me").Bearer(c["demo"]), Expect.Me("demo-client", "authorizationHeader"));
        yield return Row("baseline: the demo token on the MVC controller", c => Get("/api/profile").Bearer(c["demo"]), Expect.Me("demo-client"));
        yield return Row("no token at all", _ => Get("/api/me"), Expect.NoToken());
        yield return Row("Authorization: Bearer with nothing after it", _ => Get("/api/me").Header("Authorization", "Bearer"), Expect.InvalidToken("empty"));
        yield return Row("Authorization: Bearer and spaces only", _ => Get("/api/me").Header("Authorization", "Bearer     "), Expect.InvalidToken("empty"));
        yield return Row("Access-Token header empty", _ => Get("/api/me").Raw("Access-Token", string.Empty), Expect.InvalidToken("empty"));
        yield return Row("Authorization header empty", _ => Get("/api/me").Raw("Authorization", string.Empty), Expect.NoToken());
        yield return Row("access_token header of whitespace", _ => Get("/api/me").Header("access_token", "   "), Expect.InvalidToken("empty"));
        yield return Row("?access_token= empty", _ => Get("/api/me?access_token="), Expect.InvalidToken("empty").NoStore());
        yield return Row("?access_token= of encoded spaces", _ => Get("/api/me?access_token=%20%20%20"), Expect.InvalidToken("empty").NoStore());
        yield return Row("?access_token= of + (form spaces)", _ => Get("/api/me?access_token=+++"), Expect.InvalidToken("empty"));
        yield return Row("form access_token empty", _ => Post("/api/me").Form(("access_token", string.Empty)), Expect.InvalidToken("empty"));
        yield return Row("8 KiB exactly: not refused by shape, unknown", _ => Get("/api/me").Bearer(Repeat('A', 8192)), Expect.InvalidToken("unknown"));
        yield return Row("8 KiB + 1 in the Authorization header", _ => Get("/api/me").Bearer(Repeat('A', 8193)), Expect.InvalidToken("longer than 8192"));
        yield return Row("8 KiB + 1 in the Access-Token header", _ => Get("/api/me").Header("Access-Token", Repeat('B', 8193)), Expect.InvalidToken("longer than 8192"));
        yield return Row("8 KiB + 1 in the query", _ => Get("/api/me?access_token=" + Repeat('C', 8193)), Expect.InvalidToken("longer than 8192").NoStore());
        yield return Row("8 KiB + 1 in a form body", _ => Post("/api/me").Form(("access_token", Repeat('D', 8193))), Expect.InvalidToken("longer than 8192"));
        yield return Row("1 MiB in the Authorization header", _ => Get("/api/me").Bearer(Repeat('E', 1024 * 1024)), Expect.InvalidToken("longer than 8192"));

        foreach (var (name, token) in bad)
        {
            yield return Row($"{name}, in the query", _ => Get("/api/me?access_token=" + Q(token)), Expect.InvalidToken("not allowed"));
        }

        yield return Row("NUL inside, in the Authorization header", _ => Get("/api/me").Bearer("abc\0def"), Expect.InvalidToken("not allowed"));
        yield return Row("control character, in the Access-Token header", _ => Get("/api/me").Header("Access-Token", "abc\u0001def"), Expect.InvalidToken("not allowed"));
        yield return Row("a lone surrogate, in the Access-Token header", _ => Get("/api/me").Header("Access-Token", "abc\uD800def"), Expect.InvalidToken("not allowed"));
        yield return Row("non-ASCII, in the Authorization header", _ => Get("/api/me").Bearer("tok\u00E9n"), Expect.InvalidToken("not allowed"));
        yield return Row("CR LF, in a form body", _ => Post("/api/me").Form(("access_token", "abc\r\ndef")), Expect.InvalidToken("not allowed"));
        yield return Row("invalid UTF-8 percent-encoded in the query (%C3%28)", _ => Get("/api/me?access_token=abc%C3%28def"), Expect.InvalidToken());
        yield return Row("a lone % in the query", _ => Get("/api/me?access_token=%"), Expect.InvalidToken("unknown"));
        yield return Row("a broken escape %ZZ in the query", _ => Get("/api/me?access_token=abc%ZZdef"), Expect.InvalidToken("unknown"));

        yield return Row("base64url noise, 43 characters", _ => Get("/api/me").Bearer(Base64Url(32)), Expect.InvalidToken("unknown"));
        yield return Row("standard base64 noise with + / =", _ => Get("/api/me").Bearer(Convert.ToBase64String(RandomNumberGenerator.GetBytes(31)) + "+/=="), Expect.InvalidToken("unknown"));
        yield return Row("padding only", _ => Get("/api/me").Bearer("===="), Expect.InvalidToken("unknown"));
        yield return Row("dots only", _ => Get("/api/me").Bearer("...."), Expect.InvalidToken("unknown"));
        yield return Row("three base64url segments (no JWT scheme here)", _ => Get("/api/me").Bearer("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9."), Expect.InvalidToken("unknown"));
        yield return Row("the SHA-256 of the demo token (its store key) as the token", c => Get("/api/me").Bearer(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(c["demo"])))), Expect.InvalidToken("unknown"));
        yield return Row("the demo token's full store key as the token", c => Get("/api/me").Bearer("tokenauth:at:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(c["demo"])))), Expect.InvalidToken("unknown"));
        yield return Row("the demo token upper-cased", c => Get("/api/me").Bearer(c["demo"].ToUpperInvariant()), Expect.InvalidToken("unknown"));
        yield return Row("the demo token less its last character", c => Get("/api/me").Bearer(c["demo"][..^1]), Expect.InvalidToken("unknown"));
        yield return Row("the demo token and one more character", c => Get("/api/me").Bearer(c["demo"] + "A"), Expect.InvalidToken("unknown"));
        yield return Row("the demo token with = padding", c => Get("/api/me").Bearer(c["demo"] + "="), Expect.InvalidToken("unknown"));
        yield return Row("the demo refresh token as an access token", c => Get("/api/me").Bearer(c["demo.refresh"]), Expect.InvalidToken("unknown"));
        yield return Row("the demo token followed by a second word", c => Get("/api/me").Bearer(c["demo"] + " extra"), Expect.InvalidToken("not allowed"));
        yield return Row("two Bearer credentials in one header value", c => Get("/api/me").Header("Authorization", $"Bearer {c["demo"]}, Bearer {c["admin"]}"), Expect.InvalidToken("not allowed"));

        yield return Row("scheme in lower case: bearer", c => Get("/api/me").Header("Authorization", "bearer " + c["demo"]), Expect.Me("demo-client"));
        yield return Row("scheme in upper case: BEARER", c => Get("/api/me").Header("Authorization", "BEARER " + c["demo"]), Expect.Me("demo-client"));
        yield return Row("several spaces after the scheme (1*SP)", c => Get("/api/me").Header("Authorization", "Bearer    " + c["demo"]), Expect.Me("demo-client"));
        yield return Row("a tab after the scheme is not Bearer credentials (RFC 9110 §11.4: 1*SP)", c => Get("/api/me").Raw("Authorization", "Bearer\t" + c["demo"]), Expect.NoToken());
        yield return Row("CR LF inside the Authorization header (as Kestrel would never pass it)", c => Get("/api/me").Raw("Authorization", "Bearer " + c["demo"] + "\r\nX-Injected: 1"), Expect.InvalidToken("not allowed"));
        yield return Row("NUL right after the scheme", c => Get("/api/me").Raw("Authorization", "Bearer \0" + c["demo"]), Expect.InvalidToken("not allowed"));
        yield return Row("a colon after the scheme is not Bearer credentials", c => Get("/api/me").Header("Authorization", "Bearer:" + c["demo"]), Expect.NoToken());
        yield return Row("no space after the scheme: Bearertoken", c => Get("/api/me").Header("Authorization", "Bearer" + c["demo"]), Expect.NoToken());
        yield return Row("another scheme: Token", c => Get("/api/me").Header("Authorization", "Token " + c["demo"]), Expect.NoToken());
        yield return Row("another scheme: Basic", _ => Get("/api/me").Basic("demo-client", "demo-secret"), Expect.NoToken());
        yield return Row("an unknown token on an endpoint that allows anonymous callers", _ => Get("/api/public").Bearer(Base64Url(32)), Expect.Anonymous());
        yield return Row("an unknown token on the MVC controller", _ => Get("/api/profile").Bearer(Base64Url(32)), Expect.InvalidToken("unknown"));
        yield return Row("a read-only token on PUT /api/profile", c => Put("/api/profile").Bearer(c["read"]).Json("{\"text\":\"hi\"}"), Expect.InsufficientScope("write", "demo-client"));
        yield return Row("a read-only token on POST /api/notes", c => Post("/api/notes").Bearer(c["read"]).Json("{\"text\":\"hi\"}"), Expect.InsufficientScope("write", "demo-client"));
        yield return Row("no token on POST /api/notes", _ => Post("/api/notes").Json("{\"text\":\"hi\"}"), Expect.NoToken());
    }

    private static HttpRequestMessage Put(string uri) => new(HttpMethod.Put, uri);

    private static string Base64Url(int bytes) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(bytes));
}
