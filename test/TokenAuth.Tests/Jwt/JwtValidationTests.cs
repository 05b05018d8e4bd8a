using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenAuth.Tests.Infrastructure;
using Xunit.Abstractions;
using static TokenAuth.Tests.Jwt.JwtTestKeys;

namespace TokenAuth.Tests.Jwt;

/// <summary>
/// JWT validation through the real pipeline (TestServer, TokenAuth as the default scheme, a fake clock):
/// algorithms, lifetime, signature, issuer/audience, "none", key confusion, seed 000's non-standard claims,
/// authority discovery with JWKS rotation, routing next to the token store, and start-up validation.
/// </summary>
public sealed class JwtValidationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan DefaultClockSkew = new TokenValidationParameters().ClockSkew;

    // ---- 1. HMAC ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(SecurityAlgorithms.HmacSha256)]
    [InlineData(SecurityAlgorithms.HmacSha384)]
    [InlineData(SecurityAlgorithms.HmacSha512)]
    public async Task Hmac_ValidTokenWithSpaceSeparatedScope_Returns200WithMappedPrincipal(string algorithm)
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var token = CreateToken(key, algorithm, app.Time.GetUtcNow());
        Assert.Equal(algorithm, new JsonWebToken(token).Alg);

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var principal = await PrincipalAsync(response);
        Assert.True(principal.Authenticated);
        Assert.Equal("user-42", principal.Sub);
        Assert.Equal("client-7", principal.ClientId);
        Assert.Equal(["read", "write"], principal.Scopes.Order(StringComparer.Ordinal));
        Assert.Equal("AuthorizationHeader", principal.Source);
    }

    [Theory]
    [InlineData(SecurityAlgorithms.HmacSha256)]
    [InlineData(SecurityAlgorithms.HmacSha512)]
    public async Task Hmac_ValidTokenWithScpArrayAndRoles_Returns200WithScopesAndRoles(string algorithm)
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var token = CreateToken(key, algorithm, app.Time.GetUtcNow(), new Dictionary<string, object>
        {
            ["sub"] = "user-42",
            ["azp"] = "spa-client",
            ["scp"] = new[] { "read", "write" },
            ["roles"] = new[] { "admin", "auditor" },
        });

        using var response = await app.Client.SendAsync(TestApp.Get("/scoped", token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var principal = await PrincipalAsync(response);
        Assert.Equal("user-42", principal.Sub);
        Assert.Equal("spa-client", principal.ClientId);
        Assert.Equal(["read", "write"], principal.Scopes.Order(StringComparer.Ordinal));
        Assert.Equal(["admin", "auditor"], principal.Roles.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Hmac_ValidTokenLackingRequiredScope_Returns403InsufficientScope()
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var token = CreateToken(key, SecurityAlgorithms.HmacSha256, app.Time.GetUtcNow(), new Dictionary<string, object>
        {
            ["sub"] = "user-42",
            ["scope"] = "read",
        });

        using var response = await app.Client.SendAsync(TestApp.Get("/scoped", token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("insufficient_scope", Error(response));
    }

    // ---- 2. RSA and ECDSA ---------------------------------------------------------------------------------------

    [Theory]
    [InlineData(SecurityAlgorithms.RsaSha256)]
    [InlineData(SecurityAlgorithms.RsaSha512)]
    [InlineData(SecurityAlgorithms.RsaSsaPssSha256)]
    public async Task Rsa_ValidTokenVerifiedWithPublicKeyOnly_Returns200(string algorithm)
    {
        var signing = Rsa("rsa-1");
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(PublicOnly(signing)));
        var token = CreateToken(signing, algorithm, app.Time.GetUtcNow());

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("user-42", (await PrincipalAsync(response)).Sub);
    }

    [Fact]
    public async Task Ecdsa_ValidEs256TokenVerifiedWithPublicKeyOnly_Returns200()
    {
        var signing = EcP256("ec-1");
        var verifying = new ECDsaSecurityKey(ECDsa.Create(signing.ECDsa.ExportParameters(includePrivateParameters: false))) { KeyId = "ec-1" };
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(verifying));
        var token = CreateToken(signing, SecurityAlgorithms.EcdsaSha256, app.Time.GetUtcNow());

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var principal = await PrincipalAsync(response);
        Assert.Equal("user-42", principal.Sub);
        Assert.Equal("client-7", principal.ClientId);
    }

    // ---- 3. Lifetime ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task Lifetime_ClockPassesExpiryPlusSkew_Returns401Expired()
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var token = CreateToken(key, SecurityAlgorithms.HmacSha256, app.Time.GetUtcNow(), lifetime: TimeSpan.FromMinutes(10));

        using (var fresh = await app.Client.SendAsync(TestApp.Get("/protected", token)))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        // Past exp but inside the clock skew: still accepted.
        app.Time.Advance(TimeSpan.FromMinutes(10) + DefaultClockSkew - TimeSpan.FromSeconds(1));
        using (var withinSkew = await app.Client.SendAsync(TestApp.Get("/protected", token)))
        {
            Assert.Equal(HttpStatusCode.OK, withinSkew.StatusCode);
        }

        app.Time.Advance(TimeSpan.FromSeconds(1));
        using var expired = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("invalid_token", Error(expired));
        Assert.Contains("expired", ErrorDescription(expired), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("2026-01-01T00:10:00Z", ErrorDescription(expired), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lifetime_ZeroClockSkewAtExactExpiry_Returns401Expired()
    {
        var key = Symmetric();
        var parameters = Parameters(key);
        parameters.ClockSkew = TimeSpan.Zero;
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = parameters);
        var token = CreateToken(key, SecurityAlgorithms.HmacSha256, app.Time.GetUtcNow(), lifetime: TimeSpan.FromMinutes(1));

        app.Time.Advance(TimeSpan.FromSeconds(59));
        using (var before = await app.Client.SendAsync(TestApp.Get("/protected", token)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        app.Time.Advance(TimeSpan.FromSeconds(1));
        using var atExpiry = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, atExpiry.StatusCode);
        Assert.Contains("expired", ErrorDescription(atExpiry), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Lifetime_NotBeforeInTheFuture_Returns401NotValidBeforeUntilClockReachesIt()
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var now = app.Time.GetUtcNow();
        var token = CreateToken(key, SecurityAlgorithms.HmacSha256, now, notBefore: now.AddMinutes(10), lifetime: TimeSpan.FromHours(1));

        using (var early = await app.Client.SendAsync(TestApp.Get("/protected", token)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, early.StatusCode);
            Assert.Equal("invalid_token", Error(early));
            Assert.Contains("not valid before", ErrorDescription(early), StringComparison.OrdinalIgnoreCase);
        }

        // nbf minus the clock skew is reached: accepted.
        app.Time.Advance(TimeSpan.FromMinutes(10) - DefaultClockSkew);
        using var onTime = await app.Client.SendAsync(TestApp.Get("/protected", token));
        Assert.Equal(HttpStatusCode.OK, onTime.StatusCode);
    }

    [Fact]
    public async Task Lifetime_TokenWithoutExp_Returns401NoExpiry()
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "user-42" },
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        };
        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
        Assert.False(new JsonWebToken(token).TryGetPayloadValue<long>("exp", out _));

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("has no expiry", ErrorDescription(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lifetime_ExpInMillisecondsBeyondYear9999_Returns200AsFarFuture()
    {
        // A common issuer bug: exp written in epoch milliseconds. Read as seconds it lies past DateTimeOffset.MaxValue;
        // the validator clamps it to "far future" and must not fault (a fault would be a 503 for a valid token).
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var now = app.Time.GetUtcNow();
        var token = SignHs256("""{"alg":"HS256","typ":"JWT"}""", new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = "user-42",
            ["exp"] = now.AddHours(1).ToUnixTimeMilliseconds(),
        }, key.Key);

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("user-42", (await PrincipalAsync(response)).Sub);
    }

    [Fact]
    public async Task Lifetime_HugeFloatingPointExp_401Malformed_NeverAFault()
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var signingInput = Segment("""{"alg":"HS256","typ":"JWT"}""") + "." + Segment($$"""{"iss":"{{Issuer}}","aud":"{{Audience}}","sub":"user-42","exp":1e300}""");
        var token = signingInput + "." + Base64UrlEncoder.Encode(HMACSHA256.HashData(key.Key, Encoding.ASCII.GetBytes(signingInput)));

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        // IdentityModel cannot read 1e300 as a NumericDate and calls the token malformed: refused (fail closed), as a
        // client error, never a fault.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
        Assert.Contains("malformed", ErrorDescription(response), StringComparison.Ordinal);
        Assert.DoesNotContain("validator threw", app.Logs.AllText, StringComparison.Ordinal);
    }

    // ---- 4. Signature ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(null)]
    [InlineData("shared-kid")]
    public async Task Signature_SignedByAnotherKey_Returns401(string? keyId)
    {
        var serverKey = Symmetric(keyId: keyId);
        var attackerKey = Symmetric(keyId: keyId);
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(serverKey));
        var token = CreateToken(attackerKey, SecurityAlgorithms.HmacSha256, app.Time.GetUtcNow());

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
        AssertMentionsSignature(ErrorDescription(response));
    }

    [Fact]
    public async Task Signature_RsaTokenSignedByAnotherRsaKey_Returns401()
    {
        var serverKey = Rsa("rsa-1");
        var attackerKey = Rsa("rsa-1");
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(PublicOnly(serverKey)));
        var token = CreateToken(attackerKey, SecurityAlgorithms.RsaSha256, app.Time.GetUtcNow());

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        AssertMentionsSignature(ErrorDescription(response));
    }

    [Fact]
    public async Task Signature_TamperedPayload_Returns401()
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var now = app.Time.GetUtcNow();
        var token = CreateToken(key, SecurityAlgorithms.HmacSha256, now);
        var parts = token.Split('.');
        var forgedPayload = Segment(new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = "admin",
            ["scope"] = "read write admin",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        });
        var tampered = parts[0] + "." + forgedPayload + "." + parts[2];

        using (var original = await app.Client.SendAsync(TestApp.Get("/protected", token)))
        {
            Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        }

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", tampered));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
        AssertMentionsSignature(ErrorDescription(response));
    }

    [Theory]
    [InlineData("[\"exp\"]")]
    [InlineData("[\"b64\"]")]
    [InlineData("[\"urn:example:unknown\"]")]
    [InlineData("[]")]
    public async Task CriticalHeader_ValidlySigned_IsRefused_RFC7515Section4_1_11(string crit)
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var now = app.Time.GetUtcNow();
        var header = System.Text.Json.Nodes.JsonNode.Parse(Base64UrlEncoder.Decode(CreateToken(key, SecurityAlgorithms.HmacSha256, now).Split('.')[0]))!.AsObject();
        header["crit"] = System.Text.Json.Nodes.JsonNode.Parse(crit);
        header["b64"] = true;
        header["urn:example:unknown"] = "x";
        var payload = CreateToken(key, SecurityAlgorithms.HmacSha256, now).Split('.')[1];
        var signingInput = Base64UrlEncoder.Encode(header.ToJsonString()) + "." + payload;
        using var hmac = new System.Security.Cryptography.HMACSHA256(key.Key);
        var token = signingInput + "." + Base64UrlEncoder.Encode(hmac.ComputeHash(System.Text.Encoding.ASCII.GetBytes(signingInput)));

        // The same header without "crit" is accepted: the signature is good, only the critical extension is refused.
        header.Remove("crit");
        var withoutCrit = Base64UrlEncoder.Encode(header.ToJsonString()) + "." + payload;
        var accepted = withoutCrit + "." + Base64UrlEncoder.Encode(hmac.ComputeHash(System.Text.Encoding.ASCII.GetBytes(withoutCrit)));
        using (var ok = await app.Client.SendAsync(TestApp.Get("/protected", accepted)))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
        Assert.Contains("crit", ErrorDescription(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signature_TruncatedSignature_Returns401()
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var token = CreateToken(key, SecurityAlgorithms.HmacSha256, app.Time.GetUtcNow());

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token[..^4]));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
    }

    // ---- 5. Issuer and audience -------------------------------------------------------------------------------------

    [Fact]
    public async Task Issuer_NotTheConfiguredIssuer_Returns401IssuerNotAccepted()
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var token = CreateToken(key, SecurityAlgorithms.HmacSha256, app.Time.GetUtcNow(), issuer: "https://evil.test");

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
        Assert.Contains("issuer", ErrorDescription(response), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not accepted", ErrorDescription(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audience_NotTheConfiguredAudience_Returns401AudienceNotAccepted()
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var token = CreateToken(key, SecurityAlgorithms.HmacSha256, app.Time.GetUtcNow(), audience: "api://another-api");

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
        Assert.Contains("audience", ErrorDescription(response), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not accepted", ErrorDescription(response), StringComparison.Ordinal);
    }

    // ---- 6. alg=none -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("none")]
    [InlineData("None")]
    [InlineData("NONE")]
    [InlineData("nOnE")]
    public async Task AlgNone_HandMadeUnsignedToken_Returns401(string alg)
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var now = app.Time.GetUtcNow();
        var header = Segment($$"""{"alg":"{{alg}}","typ":"JWT"}""");
        var payload = Segment(new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = "admin",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        });
        var token = header + "." + payload + ".";

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
        AssertMentionsSignature(ErrorDescription(response));
        Assert.DoesNotContain("admin", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlgNone_HandMadeUnsignedTokenWithSignatureOfAnotherToken_Returns401()
    {
        // "none" in the header but a signature segment present: must not be accepted either.
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var now = app.Time.GetUtcNow();
        var genuine = CreateToken(key, SecurityAlgorithms.HmacSha256, now).Split('.');
        var token = Segment("""{"alg":"none","typ":"JWT"}""") + "." + genuine[1] + "." + genuine[2];

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
    }

    [Fact]
    public async Task AlgNone_JsonWebTokenHandlerWithoutSigningCredentials_Returns401()
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));
        var token = CreateToken(key: null, SecurityAlgorithms.None, app.Time.GetUtcNow());
        Assert.EndsWith(".", token, StringComparison.Ordinal);
        Assert.Equal("none", new JsonWebToken(token).Alg);

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
        AssertMentionsSignature(ErrorDescription(response));
    }

    // ---- 7. Key confusion --------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task KeyConfusion_Hs256SignedWithRsaPublicKeyBytes_Returns401(bool pem, bool sameKeyId)
    {
        var rsa = Rsa("rsa-1");
        var publicKey = PublicOnly(rsa);
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(publicKey));
        var now = app.Time.GetUtcNow();

        // Control: the genuine RS256 token is accepted, so the refusal below is about the forgery.
        using (var genuine = await app.Client.SendAsync(TestApp.Get("/protected", CreateToken(rsa, SecurityAlgorithms.RsaSha256, now))))
        {
            Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        }

        // What a JWKS or a PEM file publishes: the SubjectPublicKeyInfo, as DER or as PEM text.
        var secret = pem
            ? Encoding.ASCII.GetBytes(rsa.Rsa.ExportSubjectPublicKeyInfoPem())
            : rsa.Rsa.ExportSubjectPublicKeyInfo();
        var forgingKey = new SymmetricSecurityKey(secret) { KeyId = sameKeyId ? "rsa-1" : null };
        var forged = CreateToken(forgingKey, SecurityAlgorithms.HmacSha256, now, new Dictionary<string, object> { ["sub"] = "admin" });
        Assert.Equal("HS256", new JsonWebToken(forged).Alg);

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", forged));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
        AssertMentionsSignature(ErrorDescription(response));
    }

    [Fact]
    public async Task KeyConfusion_HandMadeHs256WithPemAsSecretAndNoTyp_Returns401()
    {
        var rsa = Rsa();
        var publicKey = PublicOnly(rsa);
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(publicKey));
        var now = app.Time.GetUtcNow();
        var secret = Encoding.ASCII.GetBytes(rsa.Rsa.ExportSubjectPublicKeyInfoPem() + "\n");
        var forged = SignHs256("""{"alg":"HS256"}""", new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = "admin",
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        }, secret);

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", forged));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
    }

    // ---- 8. Seed 000 -------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Seed000_MappedUserIdAndMillisecondExpiry_Returns200ThenExpires()
    {
        var secret = RandomNumberGenerator.GetBytes(64);
        await using var app = await TestApp.StartAsync(o => ConfigureSeed000(o, secret, mapClaims: true));
        var token = Seed000Token(secret, app.Time.GetUtcNow(), TimeSpan.FromMinutes(30));
        Assert.StartsWith("eyJhbGciOiJIUzI1NiJ9.", token, StringComparison.Ordinal); // the seed's exact header: {"alg":"HS256"}

        using (var fresh = await app.Client.SendAsync(TestApp.Get("/protected", token)))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
            var principal = await PrincipalAsync(fresh);
            Assert.Equal("5ce0bc5133fd294b6a25a63c", principal.Sub);
            Assert.Equal("b5fd01c5996a634320ebf53cbab5fadf", principal.ClientId);
            Assert.Equal(["5ce0bc5133fd294b6a25a63c"], principal.Roles);
        }

        // 30 minutes (expiredate, in ms) plus the clock skew, minus one second: still valid.
        app.Time.Advance(TimeSpan.FromMinutes(30) + DefaultClockSkew - TimeSpan.FromSeconds(1));
        using (var late = await app.Client.SendAsync(TestApp.Get("/protected", token)))
        {
            Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        }

        app.Time.Advance(TimeSpan.FromSeconds(1));
        using var expired = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("invalid_token", Error(expired));
        Assert.Contains("expired", ErrorDescription(expired), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("2026-01-01T00:30:00Z", ErrorDescription(expired), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seed000_SentInAccessTokenHeader_Returns200()
    {
        var secret = RandomNumberGenerator.GetBytes(64);
        await using var app = await TestApp.StartAsync(o => ConfigureSeed000(o, secret, mapClaims: true));
        var token = Seed000Token(secret, app.Time.GetUtcNow(), TimeSpan.FromMinutes(30));
        using var request = TestApp.Get("/protected");
        request.Headers.Add("access_token", token);

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("5ce0bc5133fd294b6a25a63c", (await PrincipalAsync(response)).Sub);
    }

    [Fact]
    public async Task Seed000_WithoutClaimMapping_Returns401NoExpiry()
    {
        var secret = RandomNumberGenerator.GetBytes(64);
        await using var app = await TestApp.StartAsync(o => ConfigureSeed000(o, secret, mapClaims: false));
        var token = Seed000Token(secret, app.Time.GetUtcNow(), TimeSpan.FromMinutes(30));

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
        Assert.Contains("has no expiry", ErrorDescription(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seed000_SignedWithAnotherSecret_Returns401()
    {
        var secret = RandomNumberGenerator.GetBytes(64);
        await using var app = await TestApp.StartAsync(o => ConfigureSeed000(o, secret, mapClaims: true));
        var token = Seed000Token(RandomNumberGenerator.GetBytes(64), app.Time.GetUtcNow(), TimeSpan.FromMinutes(30));

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        AssertMentionsSignature(ErrorDescription(response));
    }

    // ---- 9. Authority discovery and JWKS -----------------------------------------------------------------------------

    [Fact]
    public async Task Authority_TokenSignedByPublishedKey_Returns200()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        var key1 = Rsa("key-1");
        idp.Publish(key1);
        await using var app = await TestApp.StartAsync(o => ConfigureAuthority(o, idp.CreateHandler()));
        var token = CreateToken(key1, SecurityAlgorithms.RsaSha256, app.Time.GetUtcNow(), issuer: FakeIdentityProvider.Authority);

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("user-42", (await PrincipalAsync(response)).Sub);
        Assert.Equal(1, idp.DiscoveryRequests);
        Assert.Equal(1, idp.JwksRequests);
    }

    [Fact]
    public async Task Authority_IssuerOtherThanDiscoveredOne_Returns401()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        var key1 = Rsa("key-1");
        idp.Publish(key1);
        await using var app = await TestApp.StartAsync(o => ConfigureAuthority(o, idp.CreateHandler()));
        var token = CreateToken(key1, SecurityAlgorithms.RsaSha256, app.Time.GetUtcNow(), issuer: "https://evil.test");

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("issuer", ErrorDescription(response), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Authority_TokenSignedByUnpublishedKey_Returns401SigningKeyUnknown()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        idp.Publish(Rsa("key-1"));
        await using var app = await TestApp.StartAsync(o => ConfigureAuthority(o, idp.CreateHandler()));
        var token = CreateToken(Rsa("key-x"), SecurityAlgorithms.RsaSha256, app.Time.GetUtcNow(), issuer: FakeIdentityProvider.Authority);

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
        AssertMentionsSignature(ErrorDescription(response));
    }

    [Fact]
    public async Task Authority_KeysRotated_FirstRequestWithNewKidSucceeds_OldKidRefused()
    {
        await using var rotation = await Rotation.StartAsync();
        var (idp, app, token1, token2) = (rotation.Idp, rotation.App, rotation.Token1, rotation.Token2);

        using (var before = await app.Client.SendAsync(TestApp.Get("/protected", token1)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        app.Time.Advance(TimeSpan.FromMinutes(1));
        idp.Publish(rotation.Key2);
        using var calls = Diagnostics.MetricsTests.Collect<double>(app, "tokenauth.backend.call.duration");

        // The unknown kid starts one refresh, and the request waits for it: the first request with the new key succeeds.
        using (var rotated = await app.Client.SendAsync(TestApp.Get("/protected", token2)))
        {
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        }

        Assert.Equal(2, idp.JwksRequests);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "SigningKeysRefreshing");
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "SigningKeysRefreshed");
        var call = Assert.Single(calls.GetMeasurementSnapshot());
        Assert.Equal("signing_keys", call.Tags["tokenauth.backend"]);
        Assert.Equal("success", call.Tags["tokenauth.backend.outcome"]);
        // The refresh counts as a fetch for the signing-keys health probe.
        var jwtOptions = app.Services.GetRequiredService<IOptionsMonitor<TokenAuthOptions>>().Get(TokenAuthDefaults.AuthenticationScheme).Jwt;
        Assert.Equal(app.Time.GetUtcNow(), jwtOptions.KeysFetched?.LastFetched);

        // key-1 is no longer published: its tokens are refused from now on, without asking again within RefreshInterval.
        using var old = await app.Client.SendAsync(TestApp.Get("/protected", token1));
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        AssertMentionsSignature(ErrorDescription(old));
        Assert.Equal(2, idp.JwksRequests);
    }

    [Fact]
    public async Task Authority_HundredsOfMadeUpKids_AtMostOneJwksFetchPerRefreshInterval()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        var key1 = Rsa("key-1");
        idp.Publish(key1);
        await using var app = await TestApp.StartAsync(o =>
        {
            ConfigureAuthority(o, idp.CreateHandler());
            o.Jwt.RefreshInterval = TimeSpan.FromMinutes(1);
        });
        var good = CreateToken(key1, SecurityAlgorithms.RsaSha256, app.Time.GetUtcNow(), issuer: FakeIdentityProvider.Authority);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", good))).StatusCode);
        var attacker = Rsa();

        async Task<HttpStatusCode[]> SendMadeUpAsync(int round) => await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            // One RSA key, a hundred made-up kids: every token names a key the authority never published.
            var forged = CreateToken(new RsaSecurityKey(attacker.Rsa) { KeyId = $"made-up-{round}-{i}" }, SecurityAlgorithms.RsaSha256, app.Time.GetUtcNow(), issuer: FakeIdentityProvider.Authority);
            using var response = await app.Client.SendAsync(TestApp.Get("/protected", forged));
            return response.StatusCode;
        }));

        var first = await SendMadeUpAsync(1);
        var second = await SendMadeUpAsync(2);
        Assert.All(first.Concat(second), status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(2, idp.JwksRequests); // the start-up fetch and one refresh, shared or throttled for 200 requests
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "SigningKeysRefreshThrottled");

        app.Time.Advance(TimeSpan.FromMinutes(1));
        var third = await SendMadeUpAsync(3);
        Assert.All(third, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(3, idp.JwksRequests); // one more interval, one more refresh
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", good))).StatusCode);
        output.WriteLine($"300 made-up kids over two refresh intervals: {idp.JwksRequests} JWKS fetches in all.");
    }

    [Fact]
    public async Task Authority_RefreshHangs_RequestWaitsKeyRefreshTimeoutThen401_FetchServesLaterRequests()
    {
        await using var rotation = await Rotation.StartAsync();
        var (idp, app, token1, token2) = (rotation.Idp, rotation.App, rotation.Token1, rotation.Token2);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", token1))).StatusCode);

        idp.Publish(rotation.Key2);
        idp.Hang();
        try
        {
            var pending = app.Client.SendAsync(TestApp.Get("/protected", token2));
            await WaitUntilAsync(() => idp.DiscoveryRequests == 2);
            Assert.False(await CompletesWithinAsync(pending, TimeSpan.FromMilliseconds(200)), "The request did not wait for the refresh.");

            // On the app's clock: past KeyRefreshTimeout (2 s) the request stops waiting and the known keys decide.
            using var timedOut = await AdvanceUntilAsync(app, pending);
            Assert.Equal(HttpStatusCode.Unauthorized, timedOut.StatusCode);
            Assert.Equal("invalid_token", Error(timedOut));
            Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "SigningKeysRefreshTimedOut");

            // A known key needs no refresh: it works while the authority hangs.
            Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", token1))).StatusCode);
        }
        finally
        {
            idp.Release();
        }

        // The abandoned fetch went on and finished: the new key is in use without another fetch.
        await WaitUntilAsync(() => app.Logs.Entries.Any(e => e.EventId.Name == "SigningKeysRefreshed"));
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", token2))).StatusCode);
        Assert.Equal(2, idp.JwksRequests);
    }

    [Fact]
    public async Task Authority_RefreshFailsAfterKeysWereLoaded_UnknownKidIs401Not503()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        var key1 = Rsa("key-1");
        idp.Publish(key1);
        await using var app = await TestApp.StartAsync(o => ConfigureAuthority(o, idp.CreateHandler()));
        var now = app.Time.GetUtcNow();
        var token1 = CreateToken(key1, SecurityAlgorithms.RsaSha256, now, issuer: FakeIdentityProvider.Authority);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", token1))).StatusCode);

        idp.Failing = true;
        using var calls = Diagnostics.MetricsTests.Collect<double>(app, "tokenauth.backend.call.duration");
        using var unknown = await app.Client.SendAsync(TestApp.Get("/protected", CreateToken(Rsa("key-2"), SecurityAlgorithms.RsaSha256, now, issuer: FakeIdentityProvider.Authority)));

        // The keys were retrieved; a key the authority cannot be asked about is not known, which is a 401, not an outage.
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("invalid_token", Error(unknown));
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "SigningKeysRefreshFailed");
        var call = Assert.Single(calls.GetMeasurementSnapshot());
        Assert.Equal("signing_keys", call.Tags["tokenauth.backend"]);
        Assert.Equal("failure", call.Tags["tokenauth.backend.outcome"]);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(TestApp.Get("/protected", token1))).StatusCode);
    }

    [Fact]
    public async Task Authority_FirstRetrievalHangs_503WithinKeyRefreshTimeout()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        var key1 = Rsa("key-1");
        idp.Publish(key1);
        idp.Hang();
        try
        {
            await using var app = await TestApp.StartAsync(o => ConfigureAuthority(o, idp.CreateHandler()));
            var token = CreateToken(key1, SecurityAlgorithms.RsaSha256, app.Time.GetUtcNow(), issuer: FakeIdentityProvider.Authority);
            var pending = app.Client.SendAsync(TestApp.Get("/protected", token));
            await WaitUntilAsync(() => idp.DiscoveryRequests == 1);

            using var response = await AdvanceUntilAsync(app, pending);

            AssertUnavailable(response);
            Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "BackendTimedOut" && e.Text.Contains("authority", StringComparison.Ordinal));
        }
        finally
        {
            idp.Release();
        }
    }

    [Fact]
    public async Task Authority_Unreachable_Returns503WithRetryAfter()
    {
        await using var app = await TestApp.StartAsync(o => ConfigureAuthority(o, new UnreachableHandler()));
        var token = CreateToken(Rsa("key-1"), SecurityAlgorithms.RsaSha256, app.Time.GetUtcNow(), issuer: FakeIdentityProvider.Authority);

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        AssertUnavailable(response);
        Assert.Contains("could not be retrieved", app.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Authority_Returns500_Returns503WithRetryAfter()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        var key1 = Rsa("key-1");
        idp.Publish(key1);
        idp.Failing = true;
        await using var app = await TestApp.StartAsync(o => ConfigureAuthority(o, idp.CreateHandler()));
        var token = CreateToken(key1, SecurityAlgorithms.RsaSha256, app.Time.GetUtcNow(), issuer: FakeIdentityProvider.Authority);

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        AssertUnavailable(response);
        Assert.True(idp.DiscoveryRequests >= 1);
    }

    [Fact]
    public async Task Authority_DownAfterKeysWereLoaded_KeepsValidatingWithCachedKeys()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        var key1 = Rsa("key-1");
        idp.Publish(key1);
        await using var app = await TestApp.StartAsync(o => ConfigureAuthority(o, idp.CreateHandler()));
        var token = CreateToken(key1, SecurityAlgorithms.RsaSha256, app.Time.GetUtcNow(), issuer: FakeIdentityProvider.Authority);
        using (var first = await app.Client.SendAsync(TestApp.Get("/protected", token)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        idp.Failing = true;
        using var second = await app.Client.SendAsync(TestApp.Get("/protected", token));

        // The discovery document and keys are cached (AutomaticRefreshInterval), so an outage of the IdP does not
        // turn known-good tokens into 503s.
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(1, idp.DiscoveryRequests);
    }

    // ---- 10. Composite routing -------------------------------------------------------------------------------------------

    [Fact]
    public async Task Composite_JwtAndOpaqueTokens_EachRoutedToItsValidator()
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Jwt.TokenValidationParameters = Parameters(key);
        });
        var jwt = CreateToken(key, SecurityAlgorithms.HmacSha256, app.Time.GetUtcNow());
        var opaque = await app.IssueAsync(new TokenInfo { Subject = "store-user", ClientId = "store-client", Scopes = ["read"] });

        using (var jwtResponse = await app.Client.SendAsync(TestApp.Get("/protected", jwt)))
        {
            Assert.Equal(HttpStatusCode.OK, jwtResponse.StatusCode);
            var principal = await PrincipalAsync(jwtResponse);
            Assert.Equal("user-42", principal.Sub);
            Assert.Equal("client-7", principal.ClientId);
        }

        using var opaqueResponse = await app.Client.SendAsync(TestApp.Get("/protected", opaque));
        Assert.Equal(HttpStatusCode.OK, opaqueResponse.StatusCode);
        var storePrincipal = await PrincipalAsync(opaqueResponse);
        Assert.Equal("store-user", storePrincipal.Sub);
        Assert.Equal("store-client", storePrincipal.ClientId);
        Assert.Equal(["read"], storePrincipal.Scopes);
    }

    [Fact]
    public async Task Composite_UnknownOpaqueToken_Returns401Unknown()
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Jwt.TokenValidationParameters = Parameters(key);
        });
        var unknown = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", unknown));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Error(response));
        Assert.Contains("unknown, revoked or expired", ErrorDescription(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Composite_JwtWithBadSignature_RefusedByJwtValidatorNotStore()
    {
        var key = Symmetric();
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Jwt.TokenValidationParameters = Parameters(key);
        });
        var forged = CreateToken(Symmetric(), SecurityAlgorithms.HmacSha256, app.Time.GetUtcNow());

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", forged));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        AssertMentionsSignature(ErrorDescription(response));
        Assert.DoesNotContain("unknown, revoked", ErrorDescription(response), StringComparison.Ordinal);
    }

    // ---- 11. Start-up validation ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    public async Task StartUp_SymmetricKeyShorterThan256Bits_Throws(int bytes)
    {
        var exception = await AssertStartFailsAsync(o => o.Jwt.TokenValidationParameters = Parameters(Symmetric(bytes)));

        Assert.Contains("IssuerSigningKey", exception.Message, StringComparison.Ordinal);
        Assert.Contains("256 bits", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartUp_ShortSymmetricKeyAmongIssuerSigningKeys_Throws()
    {
        var parameters = Parameters(Symmetric(64));
        parameters.IssuerSigningKeys = [Symmetric(64), Symmetric(8)];

        var exception = await AssertStartFailsAsync(o => o.Jwt.TokenValidationParameters = parameters);

        Assert.Contains("IssuerSigningKeys", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartUp_SymmetricKeyOfExactly256Bits_Starts()
    {
        var key = Symmetric(32);
        await using var app = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Parameters(key));

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", CreateToken(key, SecurityAlgorithms.HmacSha256, app.Time.GetUtcNow())));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task StartUp_ValidateIssuerWithoutIssuer_Throws()
    {
        var exception = await AssertStartFailsAsync(o => o.Jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidAudience = Audience,
            IssuerSigningKey = Symmetric(),
        });

        Assert.Contains("ValidIssuer", exception.Message, StringComparison.Ordinal);
        Assert.Contains("ValidateIssuer", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartUp_ValidateAudienceWithoutAudience_Throws()
    {
        var exception = await AssertStartFailsAsync(o => o.Jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            IssuerSigningKey = Symmetric(),
        });

        Assert.Contains("ValidAudience", exception.Message, StringComparison.Ordinal);
        Assert.Contains("ValidateAudience", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartUp_RequireHttpsMetadataWithHttpAuthority_Throws()
    {
        var exception = await AssertStartFailsAsync(o =>
        {
            o.Jwt.Authority = "http://idp.test";
            o.Jwt.TokenValidationParameters = new TokenValidationParameters { ValidAudience = Audience };
        });

        Assert.Contains("RequireHttpsMetadata", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartUp_HttpAuthorityWithRequireHttpsMetadataOff_Starts()
    {
        await using var idp = await FakeIdentityProvider.StartAsync();
        await using var app = await TestApp.StartAsync(o =>
        {
            o.Jwt.Authority = "http://idp.test";
            o.Jwt.RequireHttpsMetadata = false;
            o.Jwt.BackchannelHttpHandler = idp.CreateHandler();
            o.Jwt.TokenValidationParameters = new TokenValidationParameters { ValidAudience = Audience };
        });

        using var response = await app.Client.SendAsync(TestApp.Get("/anonymous"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------------

    private static void ConfigureSeed000(TokenAuthOptions o, byte[] secret, bool mapClaims)
    {
        o.Jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            IssuerSigningKey = new SymmetricSecurityKey(secret),
        };
        if (mapClaims)
        {
            o.Jwt.Claims.Subject = ["user_id"];
            o.Jwt.Claims.Expiration = "expiredate";
            o.Jwt.Claims.ExpirationUnit = EpochUnit.Milliseconds;
        }
    }

    /// <summary>A token shaped like seed 000's: header <c>{"alg":"HS256"}</c>, epoch-millisecond dates, no exp/iss/aud.</summary>
    private static string Seed000Token(byte[] secret, DateTimeOffset now, TimeSpan lifetime)
        => SignHs256("""{"alg":"HS256"}""", new Dictionary<string, object>
        {
            ["clientId"] = "b5fd01c5996a634320ebf53cbab5fadf",
            ["user_id"] = "5ce0bc5133fd294b6a25a63c",
            ["createdAt"] = now.ToUnixTimeMilliseconds(),
            ["roles"] = new[] { "5ce0bc5133fd294b6a25a63c" },
            ["expiredate"] = now.Add(lifetime).ToUnixTimeMilliseconds(),
        }, secret);

    private static void ConfigureAuthority(TokenAuthOptions o, HttpMessageHandler backchannel)
    {
        o.Jwt.Authority = FakeIdentityProvider.Authority;
        o.Jwt.BackchannelHttpHandler = backchannel;
        o.Jwt.TokenValidationParameters = new TokenValidationParameters { ValidAudience = Audience };
    }

    /// <summary>An authority publishing key-1, an app that has fetched its keys, and tokens signed by key-1 and by the unpublished key-2.</summary>
    private sealed record Rotation(FakeIdentityProvider Idp, TestApp App, RsaSecurityKey Key2, string Token1, string Token2) : IAsyncDisposable
    {
        public static async Task<Rotation> StartAsync()
        {
            var idp = await FakeIdentityProvider.StartAsync();
            var key1 = Rsa("key-1");
            var key2 = Rsa("key-2");
            idp.Publish(key1);
            var app = await TestApp.StartAsync(o => ConfigureAuthority(o, idp.CreateHandler()));
            var now = app.Time.GetUtcNow();
            return new Rotation(
                idp, app, key2,
                CreateToken(key1, SecurityAlgorithms.RsaSha256, now, issuer: FakeIdentityProvider.Authority),
                CreateToken(key2, SecurityAlgorithms.RsaSha256, now, issuer: FakeIdentityProvider.Authority));
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Idp.DisposeAsync();
        }
    }

    /// <summary>Polls <paramref name="condition"/> (bounded: 5 s).</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "The condition did not become true within 5 s.");
            await Task.Delay(10);
        }
    }

    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan wait) => await Task.WhenAny(task, Task.Delay(wait)) == task;

    /// <summary>Moves the app's clock on, a second at a time, until <paramref name="pending"/> completes (bounded: 30 steps).</summary>
    private static async Task<HttpResponseMessage> AdvanceUntilAsync(TestApp app, Task<HttpResponseMessage> pending)
    {
        for (var step = 0; step < 30 && !await CompletesWithinAsync(pending, TimeSpan.FromMilliseconds(50)); step++)
        {
            app.Time.Advance(TimeSpan.FromSeconds(1));
        }

        return await pending.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private static async Task<Exception> AssertStartFailsAsync(Action<TokenAuthOptions> configure)
    {
        var exception = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await TestApp.StartAsync(configure);
        });
        Assert.True(
            exception is OptionsValidationException or InvalidOperationException,
            $"Expected an options validation failure, got {exception.GetType()}: {exception.Message}");
        return exception;
    }

    private static void AssertUnavailable(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.True(response.Headers.RetryAfter!.Delta > TimeSpan.Zero, "Retry-After must be a positive delay.");
        Assert.DoesNotContain("invalid_token", Challenge(response), StringComparison.Ordinal);
    }

    private static void AssertMentionsSignature(string? description)
    {
        Assert.NotNull(description);
        Assert.True(
            description.Contains("signature", StringComparison.OrdinalIgnoreCase) || description.Contains("signing key", StringComparison.OrdinalIgnoreCase),
            $"The description should name the signature or the signing key: {description}");
    }
}
