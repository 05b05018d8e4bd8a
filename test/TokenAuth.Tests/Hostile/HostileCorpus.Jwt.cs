using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth.Tests.Hostile;

internal static partial class HostileCorpus
{
    private const int Skew = 300;

    // Found by this corpus, left open: IdentityModel reads "exp":"1780000000" as the number (its claim is an integer64),
    // so TokenAuth cannot tell it from a number without reading the payload again.
    public const string QuotedDates = "a quoted number is accepted as exp, nbf or iat";   // TokenValidationParameters' default ClockSkew, 5 minutes.

    // An attacker's keys: a token they sign must never pass, whatever its header says about keys.
    private static readonly RSA AttackerRsa = RSA.Create(2048);
    private static readonly ECDsa AttackerEc = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>
    /// JWTs, against the sample issuing RS256 access tokens (<c>typ: at+jwt</c>) and validating them as RFC 9068 §4
    /// asks. RFC 8725 §3.1 (algorithms fixed by the key: no <c>none</c>, no HS256 over the RSA public key), RFC 7515
    /// §4.1.11 (<c>crit</c> naming an extension not understood: refuse), §4.1.2–6 (<c>jku</c>, <c>jwk</c>, <c>x5u</c>,
    /// <c>x5c</c>, <c>kid</c> never choose a key), RFC 7519 §4.1.4–5 (exp/nbf with the 5-minute skew; NumericDate is a
    /// JSON number), RFC 8725 §3.11 and RFC 9068 §2.1 (an ID token is no access token). Times are the app's fake clock.
    /// </summary>
    private static IEnumerable<HostileRow> JwtRows()
    {
        static HostileRow Row(string name, Func<HostileContext, HttpRequestMessage> request, Expect expect) => new("jwt", name, request, expect);
        static HttpRequestMessage Me(string token) => Get("/api/me").Bearer(token);
        static string Good(HostileContext c, params (string, string?)[] claims) => Rs256(c, Header(), Payload(c, claims));

        yield return Row("baseline: an access token from the sample's own token server", c => Me(c["jwt.server"]), Expect.Me("demo-client"));
        yield return Row("baseline: a hand-made at+jwt", c => Me(Good(c)), Expect.Me("jwt-user"));
        yield return Row("typ application/at+jwt (RFC 9068 §4)", c => Me(Rs256(c, Header(typ: "application/at+jwt"), Payload(c))), Expect.Me("jwt-user"));

        // ---- Algorithms ----
        foreach (var none in new[] { "none", "None", "NONE", "nOnE" })
        {
            yield return Row($"alg {none}, no signature", c => Me(Unsigned(Header(alg: none), Payload(c))), Expect.InvalidToken());
        }

        yield return Row("alg none with another token's signature", c => Me(Unsigned(Header(alg: "none"), Payload(c)) + c["jwt.server"].Split('.')[2]), Expect.InvalidToken());
        yield return Row("alg none and no typ", c => Me(Unsigned("{\"alg\":\"none\"}", Payload(c))), Expect.InvalidToken());
        yield return Row("the server's token re-headed as alg none", c => Me(Unsigned(Header(alg: "none"), Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(c["jwt.server"].Split('.')[1])))), Expect.InvalidToken());
        yield return Row("HS256 keyed with the RSA public key as PEM", c => Me(Hs256(Encoding.ASCII.GetBytes(c.App.SigningKey!.Rsa.ExportSubjectPublicKeyInfoPem()), Header(alg: "HS256"), Payload(c))), Expect.InvalidToken());
        yield return Row("HS256 keyed with the RSA public key as PEM, the real kid", c => Me(Hs256(Encoding.ASCII.GetBytes(c.App.SigningKey!.Rsa.ExportSubjectPublicKeyInfoPem()), Header(alg: "HS256", kid: HostileSample.KeyId), Payload(c))), Expect.InvalidToken());
        yield return Row("HS256 keyed with the RSA public key as DER", c => Me(Hs256(c.App.SigningKey!.Rsa.ExportSubjectPublicKeyInfo(), Header(alg: "HS256"), Payload(c))), Expect.InvalidToken());
        yield return Row("HS256 keyed with the RSA modulus", c => Me(Hs256(c.App.SigningKey!.Rsa.ExportParameters(false).Modulus!, Header(alg: "HS256"), Payload(c))), Expect.InvalidToken());
        yield return Row("RS256 signed by another key", c => Me(Rs256(AttackerRsa, Header(kid: null), Payload(c))), Expect.InvalidToken());
        yield return Row("RS256 signed by another key, the real kid", c => Me(Rs256(AttackerRsa, Header(), Payload(c))), Expect.InvalidToken());
        yield return Row("ES256 signed by another key", c => Me(Es256(AttackerEc, Header(alg: "ES256", kid: null), Payload(c))), Expect.InvalidToken());
        yield return Row("PS256 signed by the issuer's key (an algorithm of that key)", c => Me(Ps256(c.App.SigningKey!.Rsa, Header(alg: "PS256"), Payload(c))), Expect.Me("jwt-user"));
        yield return Row("alg rs256 in lower case (alg names are case-sensitive)", c => Me(Rs256(c, Header(alg: "rs256"), Payload(c))), Expect.InvalidToken());
        yield return Row("alg \"RS256 \" with a space", c => Me(Rs256(c, Header(alg: "RS256 "), Payload(c))), Expect.InvalidToken());
        yield return Row("no alg", c => Me(Rs256(c, "{\"typ\":\"at+jwt\",\"kid\":\"" + HostileSample.KeyId + "\"}", Payload(c))), Expect.InvalidToken());
        yield return Row("alg a number", c => Me(Rs256(c, "{\"alg\":256,\"typ\":\"at+jwt\"}", Payload(c))), Expect.InvalidToken());

        // ---- crit (RFC 7515 §4.1.11: an extension the recipient does not understand makes the JWS invalid) ----
        yield return Row("crit names an unknown extension", c => Me(Rs256(c, Header(extra: ",\"crit\":[\"x-unknown\"],\"x-unknown\":true"), Payload(c))), Expect.InvalidToken()) with { KnownBug = Crit };
        yield return Row("crit names b64 (RFC 7797), b64:false", c => Me(Rs256(c, Header(extra: ",\"crit\":[\"b64\"],\"b64\":false"), Payload(c))), Expect.InvalidToken()) with { KnownBug = Crit };
        yield return Row("crit names an extension that is absent", c => Me(Rs256(c, Header(extra: ",\"crit\":[\"x-absent\"]"), Payload(c))), Expect.InvalidToken()) with { KnownBug = Crit };
        yield return Row("crit is a string, not an array", c => Me(Rs256(c, Header(extra: ",\"crit\":\"x-unknown\",\"x-unknown\":1"), Payload(c))), Expect.InvalidToken()) with { KnownBug = Crit };

        // ---- Key-carrying headers never choose the key ----
        yield return Row("jku to the attacker's JWKS, signed by the attacker", c => Me(Rs256(AttackerRsa, Header(kid: "attacker", extra: ",\"jku\":\"https://evil.example/jwks.json\""), Payload(c))), Expect.InvalidToken());
        yield return Row("x5u to the attacker's certificate, signed by the attacker", c => Me(Rs256(AttackerRsa, Header(kid: null, extra: ",\"x5u\":\"https://evil.example/cert.pem\""), Payload(c))), Expect.InvalidToken());
        yield return Row("jwk: the attacker's public key embedded, signed by it", c => Me(Rs256(AttackerRsa, Header(kid: null, extra: ",\"jwk\":" + Jwk(AttackerRsa)), Payload(c))), Expect.InvalidToken());
        yield return Row("jwk: the attacker's key embedded with the real kid", c => Me(Rs256(AttackerRsa, Header(extra: ",\"jwk\":" + Jwk(AttackerRsa, HostileSample.KeyId)), Payload(c))), Expect.InvalidToken());
        yield return Row("x5c: the attacker's self-signed certificate, signed by it", c => Me(Rs256(AttackerRsa, Header(kid: null, extra: $",\"x5c\":[\"{SelfSigned(AttackerRsa)}\"]"), Payload(c))), Expect.InvalidToken());
        yield return Row("jku, x5u and jwk on a token the issuer signed (ignored)", c => Me(Rs256(c, Header(extra: ",\"jku\":\"https://evil.example/jwks.json\",\"x5u\":\"https://evil.example/c.pem\",\"jwk\":" + Jwk(AttackerRsa)), Payload(c))), Expect.Me("jwt-user"));

        // ---- kid ----
        yield return Row("kid path traversal, signed by the attacker", c => Me(Rs256(AttackerRsa, Header(kid: "../../../../../../etc/passwd"), Payload(c))), Expect.InvalidToken());
        yield return Row("kid /dev/null, HS256 with an empty key", c => Me(Hs256([], Header(alg: "HS256", kid: "/dev/null"), Payload(c))), Expect.InvalidToken());
        yield return Row("kid SQL injection, signed by the attacker", c => Me(Rs256(AttackerRsa, Header(kid: "x' UNION SELECT 'key' --"), Payload(c))), Expect.InvalidToken());
        yield return Row("kid with CR LF, signed by the attacker", c => Me(Rs256(AttackerRsa, Header(kid: "a\r\nb"), Payload(c))), Expect.InvalidToken());
        yield return Row("kid of 4 KiB, signed by the attacker", c => Me(Rs256(AttackerRsa, Header(kid: Repeat('k', 4096)), Payload(c))), Expect.InvalidToken());
        yield return Row("kid an object, signed by the issuer", c => Me(Rs256(c, "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":{\"a\":1}}", Payload(c))), Expect.InvalidToken());

        // ---- JWE, nesting, segments ----
        yield return Row("a JWE (five segments, RSA-OAEP)", c => Me(Segment("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\",\"typ\":\"at+jwt\"}") + "." + Base64Url(256) + "." + Base64Url(12) + "." + Base64Url(64) + "." + Base64Url(16)), Expect.InvalidToken());
        yield return Row("a JWE, alg dir", c => Me(Segment("{\"alg\":\"dir\",\"enc\":\"A128CBC-HS256\"}") + ".." + Base64Url(16) + "." + Base64Url(48) + "." + Base64Url(16)), Expect.InvalidToken());
        yield return Row("nested: the server's token inside an attacker-signed JWS (cty JWT)", c => Me(Rs256(AttackerRsa, "{\"alg\":\"RS256\",\"cty\":\"JWT\",\"typ\":\"at+jwt\"}", c["jwt.server"])), Expect.InvalidToken());
        yield return Row("nested: a JWS the issuer signed whose payload is a JWT, not claims", c => Me(Rs256(c, "{\"alg\":\"RS256\",\"cty\":\"JWT\",\"typ\":\"at+jwt\"}", Good(c))), Expect.InvalidToken());
        yield return Row("four segments", c => Me(Good(c) + "." + Base64Url(8)), Expect.InvalidToken());
        yield return Row("two segments", c => Me(string.Join('.', Good(c).Split('.')[..2])), Expect.InvalidToken());
        yield return Row("padded base64 segments", c => Me(string.Join('.', Good(c).Split('.').Select(s => s + new string('=', (4 - (s.Length % 4)) % 4)))), Expect.InvalidToken());
        yield return Row("a header that is not JSON", c => Me(Rs256(c, "not json", Payload(c))), Expect.InvalidToken());
        yield return Row("a header that is a JSON array", c => Me(Rs256(c, "[\"RS256\"]", Payload(c))), Expect.InvalidToken());
        yield return Row("a payload that is not JSON", c => Me(Rs256(c, Header(), "sub=admin")), Expect.InvalidToken());
        yield return Row("a payload that is a JSON array", c => Me(Rs256(c, Header(), "[1,2]")), Expect.InvalidToken());
        yield return Row("alg given twice, RS256 then none (RFC 7515 §4: reject or take the last)", c => Me(Rs256(c, "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"alg\":\"none\"}", Payload(c))), Expect.InvalidToken());
        yield return Row("sub given twice (RFC 7519 §4: reject, or take the last)", c => Me(Rs256(c, Header(), Payload(c).Replace("\"sub\":\"jwt-user\"", "\"sub\":\"jwt-user\",\"sub\":\"admin\"", StringComparison.Ordinal))),
            Expect.Either(Expect.InvalidToken(), Expect.Me("admin")));
        yield return Row("the payload changed after signing", c => Me(Tamper(Good(c), p => p.Replace("jwt-user", "jwt-root", StringComparison.Ordinal))), Expect.InvalidToken());
        yield return Row("the signature cut short", c => Me(Good(c)[..^10]), Expect.InvalidToken());
        yield return Row("the signature removed", c => Me(Good(c)[..(Good(c).LastIndexOf('.') + 1)]), Expect.InvalidToken());
        yield return Row("the longest signed JWT not over 8 KiB", c => Me(SizedJwt(c, over: false)), Expect.Me("jwt-user"));
        yield return Row("the shortest signed JWT over 8 KiB", c => Me(SizedJwt(c, over: true)), Expect.InvalidToken("longer than 8192"));

        // ---- typ: access token or not (RFC 9068 §2.1, §4; RFC 8725 §3.11) ----
        yield return Row("an ID token of the same issuer (typ JWT, nonce, azp)", c => Me(Rs256(c, Header(typ: "JWT"), Payload(c, ("nonce", "\"n-0S6_WzA2Mj\""), ("azp", "\"demo-client\""), ("auth_time", c.Now.ToString(System.Globalization.CultureInfo.InvariantCulture))))), Expect.InvalidToken("type"));
        yield return Row("no typ", c => Me(Rs256(c, Header(typ: null), Payload(c))), Expect.InvalidToken("type"));
        yield return Row("typ jwt", c => Me(Rs256(c, Header(typ: "jwt"), Payload(c))), Expect.InvalidToken("type"));
        yield return Row("typ secevent+jwt (RFC 8417)", c => Me(Rs256(c, Header(typ: "secevent+jwt"), Payload(c))), Expect.InvalidToken("type"));
        yield return Row("typ logout+jwt", c => Me(Rs256(c, Header(typ: "logout+jwt"), Payload(c))), Expect.InvalidToken("type"));
        yield return Row("typ a number", c => Me(Rs256(c, "{\"alg\":\"RS256\",\"typ\":1}", Payload(c))), Expect.InvalidToken());

        // ---- Lifetime, on the fake clock, with the 300 s skew ----
        yield return Row("exp = now - skew - 1", c => Me(Good(c, ("exp", N(c.Now - Skew - 1)))), Expect.InvalidToken("expired"));
        yield return Row("exp = now - skew (RFC 7519 §4.1.4: now must be before exp)", c => Me(Good(c, ("exp", N(c.Now - Skew)))), Expect.InvalidToken("expired"));
        yield return Row("exp = now - skew + 1", c => Me(Good(c, ("exp", N(c.Now - Skew + 1)))), Expect.Me("jwt-user"));
        yield return Row("no exp", c => Me(Good(c, ("exp", null))), Expect.InvalidToken("no expiry"));
        yield return Row("exp 0", c => Me(Good(c, ("exp", "0"))), Expect.InvalidToken("expired"));
        yield return Row("exp negative", c => Me(Good(c, ("exp", "-1"))), Expect.InvalidToken("expired"));
        yield return Row("exp 1e300 (far future)", c => Me(Good(c, ("exp", "1e300"))), FarFuture);
        yield return Row("exp 2^63 (past Int64)", c => Me(Good(c, ("exp", "9223372036854775808"))), FarFuture);
        yield return Row("exp 1e400 (past double)", c => Me(Good(c, ("exp", "1e400"))), FarFuture);
        yield return Row("exp with a fraction", c => Me(Good(c, ("exp", N(c.Now + 3600) + ".5"))), Expect.Me("jwt-user"));
        yield return Row("exp a string (RFC 7519 §2: NumericDate is a number)", c => Me(Good(c, ("exp", $"\"{c.Now + 3600}\""))), Expect.InvalidToken()) with { Finding = QuotedDates };
        yield return Row("exp true", c => Me(Good(c, ("exp", "true"))), Expect.InvalidToken());
        yield return Row("exp null", c => Me(Good(c, ("exp", "null"))), Expect.InvalidToken());
        yield return Row("exp an empty string", c => Me(Good(c, ("exp", "\"\""))), Expect.InvalidToken());
        yield return Row("exp an array", c => Me(Good(c, ("exp", $"[{c.Now + 3600}]"))), Expect.InvalidToken());
        yield return Row("exp an object", c => Me(Good(c, ("exp", $"{{\"v\":{c.Now + 3600}}}"))), Expect.InvalidToken());
        yield return Row("nbf = now + skew", c => Me(Good(c, ("nbf", N(c.Now + Skew)))), Expect.Me("jwt-user"));
        yield return Row("nbf = now + skew + 1", c => Me(Good(c, ("nbf", N(c.Now + Skew + 1)))), Expect.InvalidToken("not valid before"));
        yield return Row("nbf 1e300", c => Me(Good(c, ("nbf", "1e300"))), Expect.InvalidToken());
        yield return Row("nbf negative", c => Me(Good(c, ("nbf", "-1"))), Expect.Me("jwt-user"));
        yield return Row("nbf a string (a past time)", c => Me(Good(c, ("nbf", $"\"{c.Now - 60}\""))), Expect.InvalidToken()) with { Finding = QuotedDates };
        yield return Row("nbf true", c => Me(Good(c, ("nbf", "true"))), Expect.InvalidToken());
        yield return Row("iat ten years ahead (RFC 7519 §4.1.6: informational)", c => Me(Good(c, ("iat", N(c.Now + (10L * 365 * 86400))))), Expect.Me("jwt-user"));
        yield return Row("iat a string", c => Me(Good(c, ("iat", $"\"{c.Now}\""))), Expect.InvalidToken()) with { Finding = QuotedDates };

        // ---- Issuer and audience ----
        yield return Row("another issuer", c => Me(Good(c, ("iss", "\"https://evil.example\""))), Expect.InvalidToken("issuer"));
        yield return Row("the issuer with a trailing slash", c => Me(Good(c, ("iss", $"\"{HostileSample.Issuer}/\""))), Expect.InvalidToken("issuer"));
        yield return Row("no issuer", c => Me(Good(c, ("iss", null))), Expect.InvalidToken());
        yield return Row("the issuer in an array", c => Me(Good(c, ("iss", $"[\"{HostileSample.Issuer}\"]"))), Expect.InvalidToken());
        yield return Row("another audience", c => Me(Good(c, ("aud", "\"api://other\""))), Expect.InvalidToken("audience"));
        yield return Row("no audience", c => Me(Good(c, ("aud", null))), Expect.InvalidToken());
        yield return Row("the audience among others (RFC 7519 §4.1.3)", c => Me(Good(c, ("aud", $"[\"api://other\",\"{HostileSample.Audience}\"]"))), Expect.Me("jwt-user"));
        yield return Row("the audience a number", c => Me(Good(c, ("aud", "42"))), Expect.InvalidToken());

        // ---- Sudo and tenants on a JWT ----
        yield return Row("bound to t-100 by tenant_id: acts in it", c => Me(Good(c, ("tenant_id", "\"t-100\""))), Expect.Me("jwt-user").Tenant("t-100"));
        yield return Row("bound to t-100 by tid, names t-200", c => Get("/api/me?tenantId=t-200").Bearer(Good(c, ("tid", "\"t-100\""))), Expect.Problem(403, "access_denied"));
        yield return Row("bound to a tenant that does not exist", c => Me(Good(c, ("tenant_id", "\"t-999\""))),
            Expect.Either(Expect.InvalidToken(), Expect.Problem(403, "access_denied"))) with { KnownBug = UnknownBoundTenant };
        yield return Row("bound to a tenant that does not exist, naming it", c => Get("/api/me?tenantId=t-999").Bearer(Good(c, ("tenant_id", "\"t-999\""))), Expect.Either(Expect.InvalidToken(), Expect.Either(Expect.Problem(404, "not_found"), Expect.Problem(403, "access_denied"))));
        yield return Row("a caller that already acts for someone: act nests (RFC 8693 §4.1)", c => Get("/api/me?sudo=uid:1002").Bearer(Good(c, ("scope", "\"read sudo\""), ("act", "{\"sub\":\"upstream-service\"}"))),
            Expect.Me("1002").Actor("jwt-user").And(NestedAct("upstream-service"))) with { KnownBug = ActNesting };
        yield return Row("sudo with a JWT lacking the sudo scope", c => Get("/api/me?sudo=uid:1002").Bearer(Good(c)), Expect.InsufficientScope("sudo"));
        yield return Row("sudo with the server's admin JWT", c => Get("/api/me?sudo=uid:1002").Bearer(c["jwt.admin"]), Expect.Me("1002").Actor("admin-client"));

        // ---- The token server with JWTs ----
        yield return Row("revoke a self-contained JWT (RFC 7009 §2.2.1)", c => Post("/oauth/revoke").Form(("token", c["jwt.server"])).Basic("demo-client", "demo-secret"), Expect.OAuth(400, "unsupported_token_type", Shape.Rfc));
        yield return Row("introspect the server's JWT", c => Post("/oauth/introspect").Form(("token", c["jwt.server"])).Basic("resource-server", "resource-secret"), Expect.Active("demo-client"));
        yield return Row("introspect an attacker-signed JWT", c => Post("/oauth/introspect").Form(("token", Rs256(AttackerRsa, Header(), Payload(c)))).Basic("resource-server", "resource-secret"), Expect.Inactive());
        yield return Row("seed 001 check of an attacker-signed JWT", c => Get("/api/oauth2/server/tokens/check?token=" + Rs256(AttackerRsa, Header(), Payload(c, ("client_id", "\"demo-client\"")))), Expect.OAuth(400, "invalid_token", Shape.Seed001));

        // Last: the clock moves past the server token's expiry and skew.
        yield return Row("the server's token once expired", c => Me(c["jwt.server"]), Expect.InvalidToken("expired")) with { Before = c => { c.App.Time!.Advance(TimeSpan.FromSeconds(3600 + Skew)); return Task.CompletedTask; } };
    }

    /// <summary>
    /// RFC 7519 sets no upper bound on a NumericDate: a date past what the platform represents may be taken as "far
    /// future" (TokenAuth's own reading clamps it) or refused as malformed (IdentityModel does) — never a 500.
    /// </summary>
    private static Expect FarFuture => Expect.Either(Expect.Me("jwt-user"), Expect.InvalidToken("malformed"));

    private static string N(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Header(string alg = "RS256", string? typ = "at+jwt", string? kid = HostileSample.KeyId, string extra = "")
    {
        var header = new StringBuilder("{\"alg\":").Append(System.Text.Json.JsonSerializer.Serialize(alg));
        if (typ is not null)
        {
            header.Append(",\"typ\":").Append(System.Text.Json.JsonSerializer.Serialize(typ));
        }

        if (kid is not null)
        {
            header.Append(",\"kid\":").Append(System.Text.Json.JsonSerializer.Serialize(kid));
        }

        return header.Append(extra).Append('}').ToString();
    }

    /// <summary>The claims of a valid access token, with <paramref name="overrides"/> (raw JSON; <see langword="null"/> removes).</summary>
    private static string Payload(HostileContext c, params (string Name, string? Json)[] overrides)
    {
        var claims = new JsonObject
        {
            ["iss"] = HostileSample.Issuer,
            ["aud"] = HostileSample.Audience,
            ["sub"] = "jwt-user",
            ["client_id"] = "jwt-client",
            ["scope"] = "read write",
            ["iat"] = c.Now,
            ["nbf"] = c.Now,
            ["exp"] = c.Now + 3600,
            ["jti"] = Base64Url(12),
        };
        var raw = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, json) in overrides)
        {
            claims.Remove(name);
            if (json is not null)
            {
                // Kept raw: 1e400 and 2^63 must reach the token as written, not as a .NET number.
                raw[name] = json;
            }
        }

        var text = claims.ToJsonString();
        return raw.Count == 0 ? text : text[..^1] + string.Concat(raw.Select(r => $",\"{r.Key}\":{r.Value}")) + "}";
    }

    private static string Segment(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    private static string Unsigned(string header, string payload) => Segment(header) + "." + Segment(payload) + ".";

    private static string Rs256(HostileContext c, string header, string payload) => Rs256(c.App.SigningKey!.Rsa, header, payload);

    private static string Rs256(RSA key, string header, string payload)
        => Sign(header, payload, input => key.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    private static string Ps256(RSA key, string header, string payload)
        => Sign(header, payload, input => key.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));

    private static string Es256(ECDsa key, string header, string payload)
        => Sign(header, payload, input => key.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    private static string Hs256(byte[] secret, string header, string payload) => Sign(header, payload, input => HMACSHA256.HashData(secret, input));

    private static string Sign(string header, string payload, Func<byte[], byte[]> sign)
    {
        var input = Segment(header) + "." + Segment(payload);
        return input + "." + Base64UrlEncoder.Encode(sign(Encoding.ASCII.GetBytes(input)));
    }

    /// <summary>The token with its payload rewritten and its signature kept.</summary>
    private static string Tamper(string token, Func<string, string> change)
    {
        var parts = token.Split('.');
        return parts[0] + "." + Segment(change(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])))) + "." + parts[2];
    }

    /// <summary>A valid token padded by a claim to just under or just over 8 KiB (base64 moves in steps of one or two).</summary>
    private static string SizedJwt(HostileContext c, bool over)
    {
        var token = string.Empty;
        for (var pad = 5400; ; pad++)
        {
            var next = Rs256(c, Header(), Payload(c, ("pad", $"\"{Repeat('p', pad)}\"")));
            if (next.Length > 8192)
            {
                return over ? next : token;
            }

            token = next;
        }
    }

    private static string Jwk(RSA key, string? kid = null)
    {
        var p = key.ExportParameters(false);
        var kidMember = kid is null ? string.Empty : $",\"kid\":\"{kid}\"";
        return $"{{\"kty\":\"RSA\",\"n\":\"{Base64UrlEncoder.Encode(p.Modulus)}\",\"e\":\"{Base64UrlEncoder.Encode(p.Exponent)}\"{kidMember}}}";
    }

    private static string SelfSigned(RSA key)
    {
        var request = new CertificateRequest("CN=evil.example", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return Convert.ToBase64String(certificate.RawData);
    }

    /// <summary>The new act claim carries the caller's own act inside it (RFC 8693 §4.1: the chain of delegation).</summary>
    private static Func<HostileOutcome, string?> NestedAct(string innerSubject) => o =>
    {
        var act = o.Probe?.Act;
        if (act is null)
        {
            return "no act claim";
        }

        var root = System.Text.Json.JsonDocument.Parse(act).RootElement;
        return root.TryGetProperty("act", out var inner) && inner.ValueKind == System.Text.Json.JsonValueKind.Object
               && inner.TryGetProperty("sub", out var sub) && sub.GetString() == innerSubject
            ? null
            : $"act claim {act}, expected the caller's act {{\"sub\":\"{innerSubject}\"}} nested in it";
    };
}
