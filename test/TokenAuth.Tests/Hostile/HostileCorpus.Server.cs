using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth.Tests.Hostile;

internal static partial class HostileCorpus
{
    private const string Callback = "http://127.0.0.1:8080/callback";
    private const string Verifier = "hostile-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

    /// <summary>
    /// Every endpoint and profile of the sample's token server: RFC 6749 (/oauth/*, seed 000), seed 001's GET routes,
    /// seed 002's JSON, seed 003's Basic + query envelope, seed 004's credential envelope. Parameters (RFC 6749 §3.1–3.2:
    /// twice is <c>invalid_request</c>, unknown ones ignored, empty ones absent), client authentication (§2.3, RFC 7617),
    /// scopes (§3.3: no escalation), refresh and code replays (RFC 9700 §4.14.2, RFC 6749 §4.1.2), PKCE (RFC 7636),
    /// revocation (RFC 7009) and introspection (RFC 7662). Errors come in the profile's shape with the real status.
    /// </summary>
    private static IEnumerable<HostileRow> Server()
    {
        static HostileRow Row(string name, Func<HostileContext, HttpRequestMessage> request, Expect expect) => new("server", name, request, expect);
        static HttpRequestMessage Token(params (string, string)[] fields) => Post("/oauth/token").Form(fields);
        static HttpRequestMessage DemoToken(params (string, string)[] extra)
            => Token([("grant_type", "client_credentials"), ("client_id", "demo-client"), ("client_secret", "demo-secret"), .. extra]);
        static HttpRequestMessage Json002(string json) => Post("/oauth2/token/").Json(json);
        static HttpRequestMessage Uaa(string query) => Post("/api-uaa/oauth/token?" + query);
        static HttpRequestMessage Credential(string query) => Post("/openapi/auth/credential?" + query);
        static HttpRequestMessage Revoke(params (string, string)[] fields) => Post("/oauth/revoke").Form(fields);
        static HttpRequestMessage Introspect(params (string, string)[] fields) => Post("/oauth/introspect").Form(fields);
        static Task Obtain(HostileContext c, string name, params (string, string)[] extra) => ObtainAsync(c, name, extra);

        // ---- /oauth/token (RFC 6749) ----
        yield return Row("token: baseline client_credentials", _ => DemoToken(), Expect.Issued(Shape.Rfc));
        yield return Row("token: no grant_type", _ => Token(("client_id", "demo-client"), ("client_secret", "demo-secret")), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("token: grant_type twice, same value", _ => DemoToken(("grant_type", "client_credentials")), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("token: grant_type and GRANT_TYPE", _ => DemoToken(("GRANT_TYPE", "client_credentials")), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("token: an unknown grant type (jwt-bearer)", _ => Token(("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("client_id", "demo-client"), ("client_secret", "demo-secret")), Expect.OAuth(400, "unsupported_grant_type", Shape.Rfc));
        yield return Row("token: grant_type=implicit at the token endpoint", _ => Token(("grant_type", "implicit"), ("client_id", "demo-client"), ("client_secret", "demo-secret")), Expect.OAuth(400, "unsupported_grant_type", Shape.Rfc));
        yield return Row("token: grant_type with a NUL (%00: a malformed form, as ASP.NET Core reads it)", _ => Token(("grant_type", "client_credentials\0"), ("client_id", "demo-client"), ("client_secret", "demo-secret")), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("token: a grant type nobody knows, with a control character", _ => Token(("grant_type", "client_credentials\u0001"), ("client_id", "demo-client"), ("client_secret", "demo-secret")), Expect.OAuth(400, "unsupported_grant_type", Shape.Rfc));
        yield return Row("token: an unknown parameter is ignored", _ => DemoToken(("foo", "bar")), Expect.Issued(Shape.Rfc));
        yield return Row("token: an unknown parameter of 8 KiB is ignored", _ => DemoToken(("foo", Repeat('x', 8192))), Expect.Issued(Shape.Rfc));
        yield return Row("token: scope= empty counts as absent (all allowed scopes)", _ => DemoToken(("scope", string.Empty)), Expect.Issued(Shape.Rfc).And(o => o.Member("scope") == "read write" ? null : $"scope {o.Member("scope")}"));
        yield return Row("token: no client authentication", _ => Token(("grant_type", "client_credentials")), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: client_id without a secret", _ => Token(("grant_type", "client_credentials"), ("client_id", "demo-client")), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: a wrong secret", _ => Token(("grant_type", "client_credentials"), ("client_id", "demo-client"), ("client_secret", "admin-secret")), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: an unknown client", _ => Token(("grant_type", "client_credentials"), ("client_id", "nobody"), ("client_secret", "demo-secret")), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: client_id twice", _ => DemoToken(("client_id", "admin-client")), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("token: client_secret in the query (never read from a URI, RFC 6749 §2.3.1)", _ => Post("/oauth/token?client_secret=demo-secret").Form(("grant_type", "client_credentials"), ("client_id", "demo-client")), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: Basic and client_secret in the body (two methods)", _ => Token(("grant_type", "client_credentials"), ("client_secret", "demo-secret")).Basic("demo-client", "demo-secret"), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("token: Basic and a matching client_id in the body", _ => Token(("grant_type", "client_credentials"), ("client_id", "demo-client")).Basic("demo-client", "demo-secret"), Expect.Issued(Shape.Rfc));
        yield return Row("token: Basic and another client_id in the body", _ => Token(("grant_type", "client_credentials"), ("client_id", "admin-client")).Basic("demo-client", "demo-secret"), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: Basic with nothing after it", _ => Token(("grant_type", "client_credentials")).Header("Authorization", "Basic"), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: Basic that is not base64", _ => Token(("grant_type", "client_credentials")).Header("Authorization", "Basic !!!not-base64!!!"), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: Basic without a colon", _ => Token(("grant_type", "client_credentials")).Header("Authorization", "Basic " + B64("demo-client")), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: Basic with an empty id", _ => Token(("grant_type", "client_credentials")).Header("Authorization", "Basic " + B64(":demo-secret")), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: Basic with an empty secret", _ => Token(("grant_type", "client_credentials")).Header("Authorization", "Basic " + B64("demo-client:")), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: Basic of invalid UTF-8", _ => Token(("grant_type", "client_credentials")).Header("Authorization", "Basic " + Convert.ToBase64String([0xFF, 0xFE, (byte)':', (byte)'x'])), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: basic in lower case", _ => Token(("grant_type", "client_credentials")).Header("Authorization", "basic " + B64("demo-client:demo-secret")), Expect.Issued(Shape.Rfc));
        yield return Row("token: Basic with form-encoded id and secret (RFC 6749 §2.3.1)", _ => Token(("grant_type", "client_credentials")).Header("Authorization", "Basic " + B64("demo%2Dclient:demo%2Dsecret")), Expect.Issued(Shape.Rfc));
        yield return Row("token: Basic, a secret with colons (RFC 7617 §2)", _ => Token(("grant_type", "client_credentials")).Basic(HostileSample.ColonClient, HostileSample.ColonSecret), Expect.Issued(Shape.Rfc));
        yield return Row("token: Basic, the colons form-encoded", _ => Token(("grant_type", "client_credentials")).Header("Authorization", "Basic " + B64(HostileSample.ColonClient + ":" + Uri.EscapeDataString(HostileSample.ColonSecret))), Expect.Issued(Shape.Rfc));
        yield return Row("token: a secret with colons in the body", _ => Token(("grant_type", "client_credentials"), ("client_id", HostileSample.ColonClient), ("client_secret", HostileSample.ColonSecret)), Expect.Issued(Shape.Rfc));
        yield return Row("token: Basic, the secret cut at its first colon", _ => Token(("grant_type", "client_credentials")).Basic(HostileSample.ColonClient, "pa"), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: Basic, a colon in the id moves the rest into the secret", _ => Token(("grant_type", "client_credentials")).Header("Authorization", "Basic " + B64("demo:client:demo-secret")), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: scope escalation, sudo", _ => DemoToken(("scope", "sudo")), Expect.OAuth(400, "invalid_scope", Shape.Rfc));
        yield return Row("token: scope escalation, read write sudo", _ => DemoToken(("scope", "read write sudo")), Expect.OAuth(400, "invalid_scope", Shape.Rfc));
        yield return Row("token: scope in another case, READ (scopes are case-sensitive)", _ => DemoToken(("scope", "READ")), Expect.OAuth(400, "invalid_scope", Shape.Rfc));
        yield return Row("token: scope with a NUL (a malformed form)", _ => DemoToken(("scope", "read\0")), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("token: scope with a control character", _ => DemoToken(("scope", "read\u0001")), Expect.OAuth(400, "invalid_scope", Shape.Rfc));
        yield return Row("token: scope with doubled spaces", _ => DemoToken(("scope", "read  write")), Expect.Issued(Shape.Rfc));
        yield return Row("token: 2,000 unknown scopes", _ => DemoToken(("scope", string.Join(' ', Enumerable.Range(0, 2000).Select(i => "s" + i)))), Expect.OAuth(400, "invalid_scope", Shape.Rfc));
        yield return Row("token: a public client asks for client_credentials", _ => Token(("grant_type", "client_credentials"), ("client_id", "demo-spa")), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("token: a scope the resource server has none of", _ => Token(("grant_type", "client_credentials"), ("client_id", "resource-server"), ("client_secret", "resource-secret"), ("scope", "read")), Expect.OAuth(400, "invalid_scope", Shape.Rfc));
        yield return Row("token: GET (RFC 6749 §3.2: POST only)", _ => Get("/oauth/token?" + DemoCredentials), Expect.Status(405));

        yield return Row("password: a wrong password", _ => Token(("grant_type", "password"), ("client_id", "demo-client"), ("client_secret", "demo-secret"), ("username", "alice"), ("password", "wrong")), Expect.OAuth(400, "invalid_grant", Shape.Rfc));
        yield return Row("password: an unknown user", _ => Token(("grant_type", "password"), ("client_id", "demo-client"), ("client_secret", "demo-secret"), ("username", "nobody"), ("password", "x")), Expect.OAuth(400, "invalid_grant", Shape.Rfc));
        yield return Row("password: no password", _ => Token(("grant_type", "password"), ("client_id", "demo-client"), ("client_secret", "demo-secret"), ("username", "alice")), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("password: username twice", _ => Token(("grant_type", "password"), ("client_id", "demo-client"), ("client_secret", "demo-secret"), ("username", "alice"), ("username", "bob"), ("password", "alice-password")), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("password: a client not allowed the grant", _ => Token(("grant_type", "password"), ("client_id", "admin-client"), ("client_secret", "admin-secret"), ("username", "alice"), ("password", "alice-password")), Expect.OAuth(400, "unauthorized_client", Shape.Rfc));
        yield return Row("password: scope escalation", _ => Token(("grant_type", "password"), ("client_id", "demo-client"), ("client_secret", "demo-secret"), ("username", "alice"), ("password", "alice-password"), ("scope", "sudo")), Expect.OAuth(400, "invalid_scope", Shape.Rfc));

        // Refresh tokens: rotation and replay (a family of their own, so that revoking it leaves the other rows' tokens alone).
        yield return Row("refresh: rotate once", c => Token(("grant_type", "refresh_token"), ("refresh_token", c["fam.refresh"]), ("client_id", "demo-client"), ("client_secret", "demo-secret")),
            Expect.Issued(Shape.Rfc)) with { Before = c => Obtain(c, "fam"), Then = (c, o) => (c["fam.refresh2"], c["fam.access2"]) = (o.Member("refresh_token")!, o.Member("access_token")!) };
        yield return Row("refresh: the rotated-out refresh token again (a replay)", c => Token(("grant_type", "refresh_token"), ("refresh_token", c["fam.refresh"]), ("client_id", "demo-client"), ("client_secret", "demo-secret")), Expect.OAuth(400, "invalid_grant", Shape.Rfc));
        yield return Row("refresh: after the replay, the new refresh token is revoked too", c => Token(("grant_type", "refresh_token"), ("refresh_token", c["fam.refresh2"]), ("client_id", "demo-client"), ("client_secret", "demo-secret")), Expect.OAuth(400, "invalid_grant", Shape.Rfc));
        yield return Row("refresh: after the replay, the family's access token is refused", c => Get("/api/me").Bearer(c["fam.access2"]), Expect.InvalidToken("unknown"));
        yield return Row("refresh: after the replay, the family's first access token is refused", c => Get("/api/me").Bearer(c["fam"]), Expect.InvalidToken("unknown"));
        yield return Row("refresh: another client's refresh token", c => Token(("grant_type", "refresh_token"), ("refresh_token", c["fam2.refresh"]), ("client_id", "demo-spa")),
            Expect.OAuth(400, "invalid_grant", Shape.Rfc)) with { Before = c => Obtain(c, "fam2") };
        yield return Row("refresh: widening the scope", c => Token(("grant_type", "refresh_token"), ("refresh_token", c["fam3.refresh"]), ("client_id", "demo-client"), ("client_secret", "demo-secret"), ("scope", "read write")),
            Expect.OAuth(400, "invalid_scope", Shape.Rfc)) with { Before = c => Obtain(c, "fam3", ("scope", "read")) };
        yield return Row("refresh: narrowing the scope", c => Token(("grant_type", "refresh_token"), ("refresh_token", c["fam2.refresh"]), ("client_id", "demo-client"), ("client_secret", "demo-secret"), ("scope", "read")),
            Expect.Issued(Shape.Rfc).And(o => o.Member("scope") == "read" ? null : $"scope {o.Member("scope")}"));
        yield return Row("refresh: no refresh_token", _ => Token(("grant_type", "refresh_token"), ("client_id", "demo-client"), ("client_secret", "demo-secret")), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("refresh: a made-up refresh token", _ => Token(("grant_type", "refresh_token"), ("refresh_token", Base64Url(32)), ("client_id", "demo-client"), ("client_secret", "demo-secret")), Expect.OAuth(400, "invalid_grant", Shape.Rfc));
        yield return Row("refresh: an access token as the refresh token", c => Token(("grant_type", "refresh_token"), ("refresh_token", c["demo2"]), ("client_id", "demo-client"), ("client_secret", "demo-secret")), Expect.OAuth(400, "invalid_grant", Shape.Rfc));

        // Authorization codes (alice signs in on the sample's pages; demo-client needs no PKCE, demo-spa does).
        yield return Row("code: exchanged once", c => Token(("grant_type", "authorization_code"), ("code", c["code1"]), ("redirect_uri", Callback)).Basic("demo-client", "demo-secret"),
            Expect.Issued(Shape.Rfc)) with { Before = async c => c["code1"] = await HostileInputTests.AuthorizationCodeAsync(c, $"response_type=code&client_id=demo-client&redirect_uri={Callback}&scope=read"), Then = (c, o) => c["code1.access"] = o.Member("access_token")! };
        yield return Row("code: the same code again (a replay)", c => Token(("grant_type", "authorization_code"), ("code", c["code1"]), ("redirect_uri", Callback)).Basic("demo-client", "demo-secret"), Expect.OAuth(400, "invalid_grant", Shape.Rfc));
        yield return Row("code: after the replay, the token it gave is refused", c => Get("/api/me").Bearer(c["code1.access"]), Expect.InvalidToken("unknown"));
        yield return Row("code: another redirect_uri than the authorization request's", c => Token(("grant_type", "authorization_code"), ("code", c["code2"]), ("redirect_uri", "http://127.0.0.1:8080/other")).Basic("demo-client", "demo-secret"),
            Expect.OAuth(400, "invalid_grant", Shape.Rfc)) with { Before = async c => c["code2"] = await HostileInputTests.AuthorizationCodeAsync(c, $"response_type=code&client_id=demo-client&redirect_uri={Callback}&scope=read") };
        yield return Row("code: presented by another client", c => Token(("grant_type", "authorization_code"), ("code", c["code2"]), ("redirect_uri", Callback), ("client_id", "demo-spa")), Expect.OAuth(400, "invalid_grant", Shape.Rfc));
        yield return Row("code: a code_verifier for a code issued without a challenge (RFC 9700 §4.8.2)", c => Token(("grant_type", "authorization_code"), ("code", c["code2"]), ("redirect_uri", Callback), ("code_verifier", Verifier)).Basic("demo-client", "demo-secret"), Expect.OAuth(400, "invalid_grant", Shape.Rfc));
        yield return Row("code: the code as an access token", c => Get("/api/me").Bearer(c["code2"]), Expect.InvalidToken("unknown"));
        yield return Row("code: a made-up code", _ => Token(("grant_type", "authorization_code"), ("code", Base64Url(32)), ("redirect_uri", Callback)).Basic("demo-client", "demo-secret"), Expect.OAuth(400, "invalid_grant", Shape.Rfc));
        yield return Row("code: no code", _ => Token(("grant_type", "authorization_code"), ("redirect_uri", Callback)).Basic("demo-client", "demo-secret"), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("code: code twice", c => Token(("grant_type", "authorization_code"), ("code", c["code2"]), ("code", Base64Url(32)), ("redirect_uri", Callback)).Basic("demo-client", "demo-secret"), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("pkce: no code_verifier", c => Token(("grant_type", "authorization_code"), ("code", c["code3"]), ("redirect_uri", Callback), ("client_id", "demo-spa")),
            Expect.OAuth(400, "invalid_grant", Shape.Rfc)) with { Before = async c => c["code3"] = await HostileInputTests.AuthorizationCodeAsync(c, $"response_type=code&client_id=demo-spa&redirect_uri={Callback}&scope=read&code_challenge={Challenge(Verifier)}&code_challenge_method=S256") };
        yield return Row("pkce: a wrong code_verifier", c => Token(("grant_type", "authorization_code"), ("code", c["code3"]), ("redirect_uri", Callback), ("client_id", "demo-spa"), ("code_verifier", Verifier + "x")), Expect.OAuth(400, "invalid_grant", Shape.Rfc));
        yield return Row("pkce: a code_verifier of 42 characters", c => Token(("grant_type", "authorization_code"), ("code", c["code3"]), ("redirect_uri", Callback), ("client_id", "demo-spa"), ("code_verifier", Repeat('v', 42))), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("pkce: the right code_verifier", c => Token(("grant_type", "authorization_code"), ("code", c["code3"]), ("redirect_uri", Callback), ("client_id", "demo-spa"), ("code_verifier", Verifier)), Expect.Issued(Shape.Rfc));

        // ---- /oauth/revoke (RFC 7009) ----
        yield return Row("revoke: no token", _ => Revoke().Basic("demo-client", "demo-secret"), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("revoke: an unknown token (§2.2: 200)", _ => Revoke(("token", Base64Url(32))).Basic("demo-client", "demo-secret"), Expect.Revoked());
        yield return Row("revoke: no client authentication", c => Revoke(("token", c["demo2"])), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("revoke: a wrong secret", c => Revoke(("token", c["demo2"])).Basic("demo-client", "wrong"), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("revoke: another client's token", c => Revoke(("token", c["admin"])).Basic("demo-client", "demo-secret"), Expect.OAuth(400, "unauthorized_client", Shape.Rfc));
        yield return Row("revoke: ... which still works afterwards", c => Get("/api/me").Bearer(c["admin"]), Expect.Me("admin-client"));
        yield return Row("revoke: token twice", c => Revoke(("token", c["demo2"]), ("token", c["demo"])).Basic("demo-client", "demo-secret"), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("revoke: a wrong token_type_hint is only a hint", c => Revoke(("token", c["victim"]), ("token_type_hint", "refresh_token")).Basic("demo-client", "demo-secret"),
            Expect.Revoked()) with { Before = c => Obtain(c, "victim") };
        yield return Row("revoke: the revoked token is refused at once", c => Get("/api/me").Bearer(c["victim"]), Expect.InvalidToken("unknown"));
        yield return Row("revoke: an unknown token_type_hint", c => Revoke(("token", Base64Url(32)), ("token_type_hint", "x-unknown")).Basic("demo-client", "demo-secret"), Expect.Revoked());
        yield return Row("revoke: a NUL in the form (malformed)", c => Revoke(("token", Base64Url(32)), ("token_type_hint", "x\0y")).Basic("demo-client", "demo-secret"), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("revoke: GET", c => Get("/oauth/revoke?token=" + c["demo2"]), Expect.Status(405));

        // ---- /oauth/introspect (RFC 7662) ----
        yield return Row("introspect: the resource server, a live token", c => Introspect(("token", c["demo2"])).Basic("resource-server", "resource-secret"), Expect.Active("demo-client"));
        yield return Row("introspect: a client, another client's token (§4: inactive)", c => Introspect(("token", c["admin"])).Basic("demo-client", "demo-secret"), Expect.Inactive());
        yield return Row("introspect: a made-up token", _ => Introspect(("token", Base64Url(32))).Basic("resource-server", "resource-secret"), Expect.Inactive());
        yield return Row("introspect: a revoked token", c => Introspect(("token", c["victim"])).Basic("resource-server", "resource-secret"), Expect.Inactive());
        yield return Row("introspect: a token of 8 KiB + 1", _ => Introspect(("token", Repeat('A', 8193))).Basic("resource-server", "resource-secret"), Expect.Inactive());
        yield return Row("introspect: a token with a NUL (a malformed form)", c => Introspect(("token", c["demo2"] + "\0")).Basic("resource-server", "resource-secret"), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("introspect: a token with a control character", c => Introspect(("token", c["demo2"] + "\u0001")).Basic("resource-server", "resource-secret"), Expect.Inactive());
        yield return Row("introspect: no token", _ => Introspect().Basic("resource-server", "resource-secret"), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("introspect: token twice", c => Introspect(("token", c["demo2"]), ("token", c["admin"])).Basic("resource-server", "resource-secret"), Expect.OAuth(400, "invalid_request", Shape.Rfc));
        yield return Row("introspect: no client authentication", c => Introspect(("token", c["demo2"])), Expect.OAuth(401, "invalid_client", Shape.Rfc));
        yield return Row("introspect: a wrong secret", c => Introspect(("token", c["demo2"])).Basic("resource-server", "wrong"), Expect.OAuth(401, "invalid_client", Shape.Rfc));

        // ---- Seed 001: GET /api/oauth2/server/tokens, …/check, …/revoke ----
        const string Tokens001 = "/api/oauth2/server/tokens";
        yield return Row("seed 001 token: baseline", _ => Get(Tokens001 + "?grant_type=client_credentials&client_id=admin-client&client_secret=admin-secret"), Expect.Issued(Shape.Seed001));
        yield return Row("seed 001 token: no client_secret", _ => Get(Tokens001 + "?grant_type=client_credentials&client_id=admin-client"), Expect.OAuth(401, "invalid_client", Shape.Seed001));
        yield return Row("seed 001 token: a wrong secret", _ => Get(Tokens001 + "?grant_type=client_credentials&client_id=admin-client&client_secret=demo-secret"), Expect.OAuth(401, "invalid_client", Shape.Seed001));
        yield return Row("seed 001 token: client_secret twice", _ => Get(Tokens001 + "?grant_type=client_credentials&client_id=admin-client&client_secret=admin-secret&client_secret=admin-secret"), Expect.OAuth(400, "invalid_request", Shape.Seed001));
        yield return Row("seed 001 token: client_id and CLIENT_ID", _ => Get(Tokens001 + "?grant_type=client_credentials&client_id=admin-client&CLIENT_ID=demo-client&client_secret=admin-secret"), Expect.OAuth(400, "invalid_request", Shape.Seed001));
        yield return Row("seed 001 token: no grant_type", _ => Get(Tokens001 + "?client_id=admin-client&client_secret=admin-secret"), Expect.OAuth(400, "invalid_request", Shape.Seed001));
        yield return Row("seed 001 token: grant_type=password (not this profile's)", _ => Get(Tokens001 + "?grant_type=password&client_id=demo-client&client_secret=demo-secret&username=alice&password=alice-password"), Expect.OAuth(400, "unsupported_grant_type", Shape.Seed001));
        yield return Row("seed 001 token: scope escalation", _ => Get(Tokens001 + "?grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret&scope=sudo"), Expect.OAuth(400, "invalid_scope", Shape.Seed001));
        yield return Row("seed 001 token: an unknown parameter", _ => Get(Tokens001 + "?grant_type=client_credentials&client_id=admin-client&client_secret=admin-secret&x=%00"), Expect.Issued(Shape.Seed001));
        yield return Row("seed 001 token: POST", _ => Post(Tokens001 + "?grant_type=client_credentials&client_id=admin-client&client_secret=admin-secret"), Expect.Status(405));
        yield return Row("seed 001 check: a live token", c => Get(Tokens001 + "/check?token=" + c["demo2"]), Expect.Issued(Shape.Seed001));
        yield return Row("seed 001 check: no token", _ => Get(Tokens001 + "/check"), Expect.OAuth(400, "invalid_request", Shape.Seed001));
        yield return Row("seed 001 check: a made-up token", _ => Get(Tokens001 + "/check?token=" + Base64Url(32)), Expect.OAuth(400, "invalid_token", Shape.Seed001));
        yield return Row("seed 001 check: token twice", c => Get(Tokens001 + $"/check?token={c["demo2"]}&token={c["admin"]}"), Expect.OAuth(400, "invalid_request", Shape.Seed001));
        yield return Row("seed 001 check: a token of 8 KiB + 1", _ => Get(Tokens001 + "/check?token=" + Repeat('A', 8193)), Expect.OAuth(400, "invalid_token", Shape.Seed001));
        yield return Row("seed 001 check: a token with a NUL", c => Get(Tokens001 + "/check?token=" + c["demo2"] + "%00"), Expect.OAuth(400, "invalid_token", Shape.Seed001));
        yield return Row("seed 001 check: a refresh token", c => Get(Tokens001 + "/check?token=" + c["fam2.refresh"]), Expect.OAuth(400, "invalid_token", Shape.Seed001));
        yield return Row("seed 001 check: POST", c => Post(Tokens001 + "/check?token=" + c["demo2"]), Expect.Status(405));
        yield return Row("seed 001 revoke: no token", _ => Get(Tokens001 + "/revoke"), Expect.OAuth(400, "invalid_request", Shape.Seed001Revoke));
        yield return Row("seed 001 revoke: token twice", c => Get(Tokens001 + $"/revoke?token={c["demo2"]}&token={c["admin"]}"), Expect.OAuth(400, "invalid_request", Shape.Seed001Revoke));
        yield return Row("seed 001 revoke: an unknown token", _ => Get(Tokens001 + "/revoke?token=" + Base64Url(32)), Expect.Status(200).And(o => o.Body == "{\"code\":0,\"msg\":\"success\"}" ? null : $"body {o.Body}"));
        yield return Row("seed 001 revoke: a live token", c => Get(Tokens001 + "/revoke?token=" + c["victim2"]),
            Expect.Status(200).And(o => o.Body == "{\"code\":0,\"msg\":\"success\"}" ? null : $"body {o.Body}")) with { Before = c => Obtain(c, "victim2") };
        yield return Row("seed 001 revoke: ... then check says invalid_token", c => Get(Tokens001 + "/check?token=" + c["victim2"]), Expect.OAuth(400, "invalid_token", Shape.Seed001));
        yield return Row("seed 001 revoke: ... and the resource server refuses it", c => Get("/api/me?access_token=" + c["victim2"]), Expect.InvalidToken("unknown"));

        // ---- Seed 002: POST /oauth2/token/ with a JSON body ----
        yield return Row("seed 002: baseline", _ => Json002(DemoJson()), Expect.Issued(Shape.Seed002));
        yield return Row("seed 002: userId a number, as the document types it", _ => Json002(DemoJson(",\"userId\":1001")), Expect.Issued(Shape.Seed002)) with { Then = (c, o) => c["s002.user"] = o.Member("accessToken")! };
        yield return Row("seed 002: ... the token is user 1001's", c => Get("/api/me").Bearer(c["s002.user"]), Expect.Me("1001"));
        yield return Row("seed 002: userId a string", _ => Json002(DemoJson(",\"userId\":\"1001\"")), Expect.Issued(Shape.Seed002));
        yield return Row("seed 002: userId null (absent)", _ => Json002(DemoJson(",\"userId\":null")), Expect.Issued(Shape.Seed002));
        yield return Row("seed 002: userId true", _ => Json002(DemoJson(",\"userId\":true")), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 002: userId an object", _ => Json002(DemoJson(",\"userId\":{\"id\":1001}")), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 002: userId an array", _ => Json002(DemoJson(",\"userId\":[1001]")), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 002: userId 1001.5", _ => Json002(DemoJson(",\"userId\":1001.5")), Expect.OAuth(400, "invalid_grant", Shape.Seed002));
        yield return Row("seed 002: userId 1e3", _ => Json002(DemoJson(",\"userId\":1e3")), Expect.OAuth(400, "invalid_grant", Shape.Seed002));
        yield return Row("seed 002: userId -1", _ => Json002(DemoJson(",\"userId\":-1")), Expect.OAuth(400, "invalid_grant", Shape.Seed002));
        yield return Row("seed 002: userId of 30 digits", _ => Json002(DemoJson(",\"userId\":" + Repeat('9', 30))), Expect.OAuth(400, "invalid_grant", Shape.Seed002));
        yield return Row("seed 002: userId of 129 digits", _ => Json002(DemoJson(",\"userId\":" + Repeat('9', 129))), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 002: userId ../1001", _ => Json002(DemoJson(",\"userId\":\"../1001\"")), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 002: userId from a client that may not act for users", _ => Json002("{\"clientId\":\"admin-client\",\"clientSecret\":\"admin-secret\",\"grantType\":\"client_credentials\",\"userId\":1001}"), Expect.OAuth(400, "unauthorized_client", Shape.Seed002));
        yield return Row("seed 002: clientSecret a number", _ => Json002("{\"clientId\":\"demo-client\",\"clientSecret\":12345,\"grantType\":\"client_credentials\"}"), Expect.OAuth(401, "invalid_client", Shape.Seed002));
        yield return Row("seed 002: grantType an array", _ => Json002("{\"clientId\":\"demo-client\",\"clientSecret\":\"demo-secret\",\"grantType\":[\"client_credentials\"]}"), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 002: clientId twice", _ => Json002("{\"clientId\":\"demo-client\",\"clientId\":\"admin-client\",\"clientSecret\":\"demo-secret\",\"grantType\":\"client_credentials\"}"), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 002: clientId and ClientId", _ => Json002("{\"clientId\":\"demo-client\",\"ClientId\":\"admin-client\",\"clientSecret\":\"demo-secret\",\"grantType\":\"client_credentials\"}"), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 002: a clientId with a NUL", _ => Json002("{\"clientId\":\"demo-client\\u0000\",\"clientSecret\":\"demo-secret\",\"grantType\":\"client_credentials\"}"), Expect.OAuth(401, "invalid_client", Shape.Seed002));
        yield return Row("seed 002: an unknown member, deep inside the limit", _ => Json002(DemoJson(",\"extra\":{\"a\":[1,{\"b\":null}]}")), Expect.Issued(Shape.Seed002));
        yield return Row("seed 002: nesting deeper than 8", _ => Json002(DemoJson(",\"extra\":" + Repeat('[', 9) + Repeat(']', 9))), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 002: an array at the root", _ => Json002("[" + DemoJson() + "]"), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 002: a string at the root", _ => Json002("\"client_credentials\""), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 002: a trailing comma", _ => Json002(DemoJson(",")), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 002: a comment", _ => Json002("{/* c */\"clientId\":\"demo-client\",\"clientSecret\":\"demo-secret\",\"grantType\":\"client_credentials\"}"), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 002: truncated JSON", _ => Json002(DemoJson()[..^5]), Expect.OAuth(400, "invalid_request", Shape.Seed002));
        yield return Row("seed 002: an empty object", _ => Json002("{}"), Expect.OAuth(401, "invalid_client", Shape.Seed002));
        yield return Row("seed 002: grantType password (not this profile's)", _ => Json002("{\"clientId\":\"demo-client\",\"clientSecret\":\"demo-secret\",\"grantType\":\"password\"}"), Expect.OAuth(400, "unsupported_grant_type", Shape.Seed002));
        yield return Row("seed 002: refresh once", c => Json002($"{{\"clientId\":\"demo-client\",\"clientSecret\":\"demo-secret\",\"grantType\":\"refresh_token\",\"userId\":1001,\"refreshToken\":\"{c["s002.refresh"]}\"}}"),
            Expect.Issued(Shape.Seed002)) with { Before = ObtainSeed002Async };
        yield return Row("seed 002: the same refresh token again (a replay)", c => Json002($"{{\"clientId\":\"demo-client\",\"clientSecret\":\"demo-secret\",\"grantType\":\"refresh_token\",\"userId\":1001,\"refreshToken\":\"{c["s002.refresh"]}\"}}"), Expect.OAuth(400, "invalid_grant", Shape.Seed002));
        yield return Row("seed 002: refresh for another userId", c => Json002($"{{\"clientId\":\"demo-client\",\"clientSecret\":\"demo-secret\",\"grantType\":\"refresh_token\",\"userId\":1002,\"refreshToken\":\"{c["s002.refresh"]}\"}}"),
            Expect.OAuth(400, "invalid_grant", Shape.Seed002)) with { Before = ObtainSeed002Async };

        // ---- Seed 003: POST /api-uaa/oauth/token, query parameters, HTTP Basic, resp_code envelope ----
        yield return Row("seed 003: client_credentials", _ => Uaa("grant_type=client_credentials").Basic("demo-client", "demo-secret"), Expect.Issued(Shape.Seed003));
        yield return Row("seed 003: the password grant, as documented", _ => Uaa("grant_type=password&username=alice&password=alice-password&account_type=admin").Basic("demo-client", "demo-secret"),
            Expect.Issued(Shape.Seed003).And(o => o.Member("datas.account_type") == "admin" ? null : "no account_type"));
        yield return Row("seed 003: a wrong password", _ => Uaa("grant_type=password&username=alice&password=wrong").Basic("demo-client", "demo-secret"), Expect.OAuth(400, "invalid_grant", Shape.Seed003));
        yield return Row("seed 003: credentials in the query instead of Basic", _ => Uaa("grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret"), Expect.OAuth(401, "invalid_client", Shape.Seed003));
        yield return Row("seed 003: Basic that is not base64", _ => Uaa("grant_type=client_credentials").Header("Authorization", "Basic ***"), Expect.OAuth(401, "invalid_client", Shape.Seed003));
        yield return Row("seed 003: Basic, a secret with colons", _ => Uaa("grant_type=client_credentials").Basic(HostileSample.ColonClient, HostileSample.ColonSecret), Expect.Issued(Shape.Seed003));
        yield return Row("seed 003: Basic form-encoded (this profile decodes nothing)", _ => Uaa("grant_type=client_credentials").Header("Authorization", "Basic " + B64("demo%2Dclient:demo%2Dsecret")), Expect.OAuth(401, "invalid_client", Shape.Seed003));
        yield return Row("seed 003: grant_type in the query and the form", _ => Uaa("grant_type=client_credentials").Basic("demo-client", "demo-secret").Form(("grant_type", "client_credentials")), Expect.OAuth(400, "invalid_request", Shape.Seed003));
        yield return Row("seed 003: account_type with a quote", _ => Uaa("grant_type=password&username=alice&password=alice-password&account_type=ad%22min").Basic("demo-client", "demo-secret"), Expect.OAuth(400, "invalid_request", Shape.Seed003));
        yield return Row("seed 003: an unknown grant type", _ => Uaa("grant_type=magic").Basic("demo-client", "demo-secret"), Expect.OAuth(400, "unsupported_grant_type", Shape.Seed003));
        yield return Row("seed 003: scope escalation", _ => Uaa("grant_type=client_credentials&scope=sudo").Basic("demo-client", "demo-secret"), Expect.OAuth(400, "invalid_scope", Shape.Seed003));
        yield return Row("seed 003: a made-up code (the exchange answers plain)", _ => Uaa($"grant_type=authorization_code&code={Base64Url(32)}&redirect_uri={Callback}").Basic("demo-client", "demo-secret"), Expect.OAuth(400, "invalid_grant", Shape.Seed003Plain));

        // ---- Seed 004: POST /openapi/auth/credential, code/message envelope ----
        yield return Row("seed 004: baseline", _ => Credential("clientId=demo-client&secret=demo-secret&userType=2").Header("Request-Id", "7f3c9a"),
            Expect.Issued(Shape.Seed004).And(o => o.Member("trackId") == "7f3c9a" ? null : $"trackId {o.Member("trackId")}"));
        yield return Row("seed 004: userType=3", _ => Credential("clientId=demo-client&secret=demo-secret&userType=3"), Expect.OAuth(400, "invalid_request", Shape.Seed004));
        yield return Row("seed 004: userType twice", _ => Credential("clientId=demo-client&secret=demo-secret&userType=2&userType=2"), Expect.OAuth(400, "invalid_request", Shape.Seed004));
        yield return Row("seed 004: a wrong secret", _ => Credential("clientId=demo-client&secret=wrong&userType=2"), Expect.OAuth(401, "invalid_client", Shape.Seed004));
        yield return Row("seed 004: secret twice", _ => Credential("clientId=demo-client&secret=demo-secret&secret=x&userType=2"), Expect.OAuth(400, "invalid_request", Shape.Seed004));
        yield return Row("seed 004: clientId in the query, secret in the form", _ => Credential("clientId=demo-client&userType=2").Form(("secret", "demo-secret")), Expect.Issued(Shape.Seed004));
        yield return Row("seed 004: a JSON body (the document says: not JSON)", _ => Post("/openapi/auth/credential").Json("{\"clientId\":\"demo-client\",\"secret\":\"demo-secret\",\"userType\":\"2\"}"), Expect.OAuth(400, "invalid_request", Shape.Seed004));
        yield return Row("seed 004: grantType=password (not this profile's)", _ => Credential("clientId=demo-client&secret=demo-secret&userType=2&grantType=password"), Expect.OAuth(400, "unsupported_grant_type", Shape.Seed004));
        yield return Row("seed 004: a Request-Id with CR LF is not echoed", _ => Credential("clientId=demo-client&secret=demo-secret&userType=2").Header("Request-Id", "abc\r\nX-Injected: 1"),
            Expect.Issued(Shape.Seed004).And(o => o.Member("trackId")?.Contains("Injected", StringComparison.Ordinal) == true ? "trackId echoed the header" : null));
        yield return Row("seed 004: a Request-Id of 1 KiB is not echoed", _ => Credential("clientId=demo-client&secret=demo-secret&userType=2").Header("Request-Id", Repeat('r', 1024)),
            Expect.Issued(Shape.Seed004).And(o => o.Member("trackId")?.Length > 128 ? "trackId echoed 1 KiB" : null));
        yield return Row("seed 004: GET", _ => Get("/openapi/auth/credential?clientId=demo-client&secret=demo-secret&userType=2"), Expect.Status(405));

        // ---- /oauth/authorize and seed 003's /api-uaa/oauth/authorize (RFC 6749 §4.1.2.1) ----
        yield return Row("authorize: a valid request shows the login page", _ => Get($"/oauth/authorize?response_type=code&client_id=demo-client&redirect_uri={Callback}"), Expect.Status(200));
        yield return Row("authorize: no client_id", _ => Get($"/oauth/authorize?response_type=code&redirect_uri={Callback}"), Expect.ErrorPage(400));
        yield return Row("authorize: an unknown client", _ => Get($"/oauth/authorize?response_type=code&client_id=nobody&redirect_uri={Callback}"), Expect.ErrorPage(400));
        yield return Row("authorize: an unregistered redirect_uri", _ => Get("/oauth/authorize?response_type=code&client_id=demo-client&redirect_uri=https://evil.example/cb"), Expect.ErrorPage(400));
        yield return Row("authorize: the redirect_uri with a path added", _ => Get($"/oauth/authorize?response_type=code&client_id=demo-client&redirect_uri={Callback}/../evil"), Expect.ErrorPage(400));
        yield return Row("authorize: the redirect_uri in another case", _ => Get($"/oauth/authorize?response_type=code&client_id=demo-client&redirect_uri={Callback.ToUpperInvariant()}"), Expect.ErrorPage(400));
        yield return Row("authorize: the redirect_uri with a query added", _ => Get($"/oauth/authorize?response_type=code&client_id=demo-client&redirect_uri={Q(Callback + "?next=https://evil.example")}"), Expect.ErrorPage(400));
        yield return Row("authorize: client_id twice", _ => Get($"/oauth/authorize?response_type=code&client_id=demo-client&client_id=demo-spa&redirect_uri={Callback}"), Expect.ErrorPage(400));
        yield return Row("authorize: an unknown response_type", _ => Get($"/oauth/authorize?response_type=foo&client_id=demo-client&redirect_uri={Callback}&state=s"), Expect.RedirectError(Callback, "unsupported_response_type"));
        yield return Row("authorize: no response_type", _ => Get($"/oauth/authorize?client_id=demo-client&redirect_uri={Callback}"), Expect.RedirectError(Callback, "invalid_request"));
        yield return Row("authorize: the implicit grant for a client without it", _ => Get($"/oauth/authorize?response_type=token&client_id=demo-spa&redirect_uri={Callback}"), Expect.RedirectError(Callback, "unauthorized_client"));
        yield return Row("authorize: scope escalation", _ => Get($"/oauth/authorize?response_type=code&client_id=demo-client&redirect_uri={Callback}&scope=sudo"), Expect.RedirectError(Callback, "invalid_scope"));
        yield return Row("authorize: a public client without PKCE", _ => Get($"/oauth/authorize?response_type=code&client_id=demo-spa&redirect_uri={Callback}"), Expect.RedirectError(Callback, "invalid_request"));
        yield return Row("authorize: PKCE plain, not allowed", _ => Get($"/oauth/authorize?response_type=code&client_id=demo-spa&redirect_uri={Callback}&code_challenge={Verifier}&code_challenge_method=plain"), Expect.RedirectError(Callback, "invalid_request"));
        yield return Row("seed 003 authorize: an unknown client", _ => Get($"/api-uaa/oauth/authorize?response_type=code&client_id=nobody&redirect_uri={Callback}"), Expect.ErrorPage(400));

        // ---- Throttling: last, since it locks the client out for a while ----
        yield return Row("throttle: the 11th failure of a client", _ => Token(("grant_type", "client_credentials"), ("client_id", HostileSample.ColonClient), ("client_secret", "still-wrong")),
            Expect.OAuth(429, "temporarily_unavailable", Shape.Rfc)) with { Before = SpendPermitsAsync };
        yield return Row("throttle: ... and with the right secret", _ => Token(("grant_type", "client_credentials"), ("client_id", HostileSample.ColonClient), ("client_secret", HostileSample.ColonSecret)), Expect.OAuth(429, "temporarily_unavailable", Shape.Rfc));
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Challenge(string verifier) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    /// <summary>A demo-client token and its refresh token, kept as <paramref name="name"/> and <c>name.refresh</c>.</summary>
    private static async Task ObtainAsync(HostileContext c, string name, (string, string)[] extra)
    {
        var (access, refresh) = await HostileInputTests.TokenAsync(c, [("grant_type", "client_credentials"), ("client_id", "demo-client"), ("client_secret", "demo-secret"), .. extra]);
        c[name] = access;
        c[name + ".refresh"] = refresh!;
    }

    private static async Task ObtainSeed002Async(HostileContext c)
    {
        using var request = Req.Post("/oauth2/token/").Json(DemoJson(",\"userId\":1001"));
        using var response = await c.Client.SendAsync(request);
        var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        c["s002.refresh"] = json.GetProperty("refreshToken").GetString()!;
    }

    /// <summary>Failed authentications of the colon client until its ten permits are spent (README "throttling").</summary>
    private static async Task SpendPermitsAsync(HostileContext c)
    {
        // One failure of this client was spent by an earlier row ("the secret cut at its first colon").
        for (var i = 1; i < 10; i++)
        {
            using var request = Req.Post("/oauth/token").Basic(HostileSample.ColonClient, "wrong-" + i).Form(("grant_type", "client_credentials"));
            using var response = await c.Client.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }
}
