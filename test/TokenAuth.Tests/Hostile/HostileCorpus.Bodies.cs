using System.Text;
using Microsoft.AspNetCore.Http;

namespace TokenAuth.Tests.Hostile;

internal static partial class HostileCorpus
{
    private const string FormType = "application/x-www-form-urlencoded";
    private const int TenMegabytes = 10 * 1024 * 1024;

    /// <summary>
    /// Bodies. The handler reads a token only from an <c>application/x-www-form-urlencoded</c> body of a non-GET request
    /// (RFC 6750 §2.2), up to 64 KiB, never multipart; anything else is not searched (no token: 401 bare Bearer, or the
    /// header's token). The token server reads only the types its profile names, as UTF-8, up to 16 KiB (413 past it).
    /// </summary>
    private static IEnumerable<HostileRow> Bodies()
    {
        static HostileRow Row(string name, Func<HostileContext, HttpRequestMessage> request, Expect expect) => new("bodies", name, request, expect);

        // ---- The resource server's form source ----
        yield return Row("10 MB form body starting with a valid token (Content-Length)", c => Post("/api/me").Body(Padded("access_token=" + c["demo"] + "&pad=", TenMegabytes), FormType), Expect.NoToken());
        yield return Row("10 MB form body starting with a valid token (chunked)", c => Post("/api/me").Chunked(Padded("access_token=" + c["demo"] + "&pad=", TenMegabytes), FormType), Expect.NoToken());
        yield return Row("10 MB form body and a header token (the body is not searched)", c => Post("/api/me").Bearer(c["demo"]).Body(Padded("pad=", TenMegabytes), FormType), Expect.Me("demo-client"));
        yield return Row("form body of exactly 64 KiB with the token", c => Post("/api/me").Body(Padded("access_token=" + c["demo"] + "&pad=", 64 * 1024), FormType), Expect.Me("demo-client", "form"));
        yield return Row("form body of 64 KiB + 1 with the token", c => Post("/api/me").Body(Padded("access_token=" + c["demo"] + "&pad=", (64 * 1024) + 1), FormType), Expect.NoToken());
        yield return Row("chunked form body with the token", c => Post("/api/me").Chunked(Ascii("access_token=" + c["demo"]), FormType), Expect.Me("demo-client", "form"));
        yield return Row("multipart/form-data with an access_token field", c => Post("/api/me").Multipart(("access_token", c["demo"])), Expect.NoToken());
        yield return Row("multipart/form-data beside a header token", c => Post("/api/me").Bearer(c["demo"]).Multipart(("access_token", c["demo2"])), Expect.Me("demo-client"));
        yield return Row("text/plain body access_token=…", c => Post("/api/me").Body("access_token=" + c["demo"], "text/plain"), Expect.NoToken());
        yield return Row("no Content-Type, body access_token=…", c => Post("/api/me").Body("access_token=" + c["demo"], null), Expect.NoToken());
        yield return Row("application/json {\"access_token\":…}", c => Post("/api/me").Json($"{{\"access_token\":\"{c["demo"]}\"}}"), Expect.NoToken());
        yield return Row("Content-Type multipart/form-data over an urlencoded body", c => Post("/api/me").Body("access_token=" + c["demo"], "multipart/form-data; boundary=x"), Expect.NoToken());
        yield return Row("Content-Type application/x-www-form-urlencoded-evil", c => Post("/api/me").Body("access_token=" + c["demo"], FormType + "-evil"), Expect.NoToken());
        yield return Row("Content-Type in upper case (media types are case-insensitive)", c => Post("/api/me").Body("access_token=" + c["demo"], FormType.ToUpperInvariant()), Expect.Me("demo-client", "form"));
        yield return Row("charset=ISO-8859-1 label over an ASCII body (RFC 6750 §2.2: ASCII)", c => Post("/api/me").Body("access_token=" + c["demo"], FormType + "; charset=ISO-8859-1"), Expect.Me("demo-client", "form"));
        yield return Row("charset=utf-16 and a UTF-16 body", c => Post("/api/me").Body(Encoding.Unicode.GetBytes("access_token=" + c["demo"]), FormType + "; charset=utf-16"), Expect.NoToken());
        yield return Row("invalid UTF-8 (0xFF) in the form body", c => Post("/api/me").Body([.. Ascii("access_token=" + c["demo"] + "&x="), 0xFF], FormType), Expect.NoToken());
        yield return Row("invalid UTF-8 form body beside a header token", c => Post("/api/me").Bearer(c["demo"]).Body([0xC3, 0x28, .. Ascii("=1")], FormType), Expect.Me("demo-client"));
        yield return Row("%00 in the form token (a malformed form is not searched)", _ => Post("/api/me").Body("access_token=abc%00def", FormType), Expect.NoToken());
        yield return Row("a broken escape %ZZ in the form token", _ => Post("/api/me").Body("access_token=abc%ZZdef", FormType), Expect.InvalidToken("unknown"));
        yield return Row("a truncated escape %E0%A4%A in the form token", _ => Post("/api/me").Body("access_token=abc%E0%A4%A", FormType), Expect.InvalidToken());
        yield return Row("the token with every character percent-encoded", c => Post("/api/me").Body("access_token=" + string.Concat(c["demo"].Select(ch => $"%{(int)ch:X2}")), FormType), Expect.Me("demo-client", "form"));
        yield return Row("a semicolon is no form separator: access_token=t;x=y", c => Post("/api/me").Body("access_token=" + c["demo"] + ";x=y", FormType), Expect.InvalidToken("unknown"));
        yield return Row("empty fields around the token: &&&access_token=t&", c => Post("/api/me").Body("&&&access_token=" + c["demo"] + "&", FormType), Expect.Me("demo-client", "form"));
        yield return Row("access_token without = in the form", _ => Post("/api/me").Body("access_token", FormType), Expect.InvalidToken("empty"));
        yield return Row("300 form fields, the token last (over the field limit)", c => Post("/api/me").Body(string.Concat(Enumerable.Range(0, 300).Select(i => $"f{i}=1&")) + "access_token=" + c["demo"], FormType), Expect.NoToken());
        yield return Row("a 2 KiB field name before the token", c => Post("/api/me").Body(Repeat('k', 2048) + "=1&access_token=" + c["demo"], FormType), Expect.NoToken());
        yield return Row("a form body on GET (never read)", c => Get("/api/me").Body("access_token=" + c["demo"], FormType), Expect.NoToken());
        yield return Row("an empty form body", _ => Post("/api/me").Body([], FormType), Expect.NoToken());
        yield return Row("a form body that stops: the client went away (Kestrel's 400)", _ => Post("/api/me").Body("access_token=abc", FormType).BodyFault(StatusCodes.Status400BadRequest),
            Expect.Status(400, 408)) with { KnownBug = StalledBody };
        yield return Row("a form body that stalls (Kestrel's 408)", _ => Post("/api/me").Body("access_token=abc", FormType).BodyFault(StatusCodes.Status408RequestTimeout),
            Expect.Status(408, 400)) with { KnownBug = StalledBody };
        yield return Row("a header token beside '&&access_token=…' in the body (one parser for the form)", c => Post("/api/me").Bearer(c["demo"]).Body("x=1&&access_token=" + c["demo2"], FormType), Expect.InvalidRequest("more than one access token"));

        // ---- The token server's bodies ----
        yield return Row("/oauth/token: 10 MB form (Content-Length)", _ => Post("/oauth/token").Body(Padded("grant_type=client_credentials&pad=", TenMegabytes), FormType), Expect.OAuth(413, "invalid_request", Shape.Rfc));
        yield return Row("/oauth/token: 10 MB form (chunked)", _ => Post("/oauth/token").Chunked(Padded("grant_type=client_credentials&pad=", TenMegabytes), FormType), Expect.OAuth(413, "invalid_request", Shape.Rfc));
        yield return Row("/oauth2/token/: 10 MB JSON", _ => Post("/oauth2/token/").Body(Padded("{\"grantType\":\"client_credentials\",\"pad\":\"", TenMegabytes, "\"}"), "application/json"), Expect.OAuth(413, "invalid_request", Shape.Seed002));
        yield return Row("/oauth/token: multipart/form-data", _ => Post("/oauth/token").Multipart(("grant_type", "client_credentials"), ("client_id", "demo-client"), ("client_secret", "demo-secret")), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("/oauth/token: a JSON body", _ => Post("/oauth/token").Json("{\"grant_type\":\"client_credentials\",\"client_id\":\"demo-client\",\"client_secret\":\"demo-secret\"}"), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("/oauth/token: text/plain", _ => Post("/oauth/token").Body(DemoCredentials, "text/plain"), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("/oauth/token: no Content-Type", _ => Post("/oauth/token").Body(DemoCredentials, null), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("/oauth/token: charset=utf-16", _ => Post("/oauth/token").Body(DemoCredentials, FormType + "; charset=utf-16"), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("/oauth/token: charset=\"UTF-8\" quoted", _ => Post("/oauth/token").Body(DemoCredentials, FormType + "; charset=\"UTF-8\""), Expect.Issued(Shape.Rfc));
        yield return Row("/oauth/token: invalid UTF-8 byte", _ => Post("/oauth/token").Body([.. Ascii(DemoCredentials + "&scope="), 0xFF], FormType), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("/oauth/token: 300 form fields", _ => Post("/oauth/token").Body(string.Concat(Enumerable.Range(0, 300).Select(i => $"f{i}=1&")) + DemoCredentials, FormType), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("/oauth/token: chunked form", _ => Post("/oauth/token").Chunked(Ascii(DemoCredentials), FormType), Expect.Issued(Shape.Rfc));
        yield return Row("/oauth/token: an empty form body (no client)", _ => Post("/oauth/token").Body([], FormType), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("/oauth/token: no body at all", _ => Post("/oauth/token"), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("/oauth/token: grant_type percent-encoded (client%5Fcredentials)", _ => Post("/oauth/token").Body("grant_type=client%5Fcredentials&client_id=demo-client&client_secret=demo-secret", FormType), Expect.Issued(Shape.Rfc));
        yield return Row("/oauth/token: a broken escape in client_id", _ => Post("/oauth/token").Body("grant_type=client_credentials&client_id=demo%ZZclient&client_secret=demo-secret", FormType), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("/oauth/token: a stalled body (Kestrel's 408)", _ => Post("/oauth/token").Body(DemoCredentials, FormType).BodyFault(StatusCodes.Status408RequestTimeout),
            Expect.Status(408, 400)) with { KnownBug = StalledBody };
        yield return Row("/oauth/token: grant_type twice, the second behind '&&'", _ => Post("/oauth/token").Body(DemoCredentials + "&&grant_type=password", FormType), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("/oauth2/token/: a form body", _ => Post("/oauth2/token/").Body("grantType=client_credentials&clientId=demo-client&clientSecret=demo-secret", FormType), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("/oauth2/token/: application/vnd.api+json", _ => Post("/oauth2/token/").Body(DemoJson(), "application/vnd.api+json"), Expect.Issued(Shape.Seed002));
        yield return Row("/oauth2/token/: JSON with charset=utf-16", _ => Post("/oauth2/token/").Body(DemoJson(), "application/json; charset=utf-16"), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("/oauth2/token/: JSON with an invalid UTF-8 byte", _ => Post("/oauth2/token/").Body([.. Ascii("{\"grantType\":\"client_credentials\",\"x\":\""), 0xFF, .. Ascii("\"}")], "application/json"), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("/oauth2/token/: no body", _ => Post("/oauth2/token/"), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 001 token: credentials in a GET body, not the query", _ => Get("/api/oauth2/server/tokens?grant_type=client_credentials").Body("client_id=demo-client&client_secret=demo-secret", FormType), Expect.OAuth(401, "invalid_client", Shape.Seed001));
    }

    private const string DemoCredentials = "grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret";

    private static string DemoJson(string extra = "") => "{\"clientId\":\"demo-client\",\"clientSecret\":\"demo-secret\",\"grantType\":\"client_credentials\"" + extra + "}";

    /// <summary><paramref name="prefix"/>, then 'x' up to <paramref name="length"/> bytes, then <paramref name="suffix"/>.</summary>
    private static byte[] Padded(string prefix, int length, string suffix = "")
    {
        var bytes = new byte[length];
        Array.Fill(bytes, (byte)'x');
        Encoding.ASCII.GetBytes(prefix).CopyTo(bytes, 0);
        Encoding.ASCII.GetBytes(suffix).CopyTo(bytes, length - suffix.Length);
        return bytes;
    }
}
