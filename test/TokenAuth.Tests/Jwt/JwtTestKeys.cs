using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth.Tests.Jwt;

/// <summary>Keys, token factories and response readers shared by the JWT tests.</summary>
internal static partial class JwtTestKeys
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "api://tokenauth-tests";

    /// <summary>A fresh HMAC key of <paramref name="bytes"/> random bytes (64 by default, enough for HS512).</summary>
    public static SymmetricSecurityKey Symmetric(int bytes = 64, string? keyId = null)
        => new(RandomNumberGenerator.GetBytes(bytes)) { KeyId = keyId };

    /// <summary>A fresh RSA-2048 key pair (private part included, to sign).</summary>
    public static RsaSecurityKey Rsa(string? keyId = null)
        => new(RSA.Create(2048)) { KeyId = keyId };

    /// <summary>The public half of <paramref name="key"/>, as a resource server would be configured.</summary>
    public static RsaSecurityKey PublicOnly(RsaSecurityKey key)
        => new(key.Rsa.ExportParameters(includePrivateParameters: false)) { KeyId = key.KeyId };

    /// <summary>A fresh ECDSA P-256 key pair.</summary>
    public static ECDsaSecurityKey EcP256(string? keyId = null)
        => new(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = keyId };

    /// <summary>Validation parameters with the test issuer and audience and one signing key.</summary>
    public static TokenValidationParameters Parameters(SecurityKey key) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = key,
    };

    /// <summary>
    /// Signs a token with <paramref name="key"/>/<paramref name="algorithm"/> (no signature when <paramref name="key"/> is null).
    /// Times are explicit: issued at <paramref name="now"/>, expiring <paramref name="lifetime"/> later (one hour by default).
    /// </summary>
    public static string CreateToken(
        SecurityKey? key,
        string algorithm,
        DateTimeOffset now,
        IDictionary<string, object>? claims = null,
        TimeSpan? lifetime = null,
        DateTimeOffset? notBefore = null,
        string issuer = Issuer,
        string audience = Audience)
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime,
            Expires = now.Add(lifetime ?? TimeSpan.FromHours(1)).UtcDateTime,
            NotBefore = notBefore?.UtcDateTime,
            Claims = claims ?? new Dictionary<string, object> { ["sub"] = "user-42", ["client_id"] = "client-7", ["scope"] = "read write" },
            SigningCredentials = key is null ? null : new SigningCredentials(key, algorithm),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>base64url of the UTF-8 JSON of <paramref name="value"/>.</summary>
    public static string Segment(object value) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(value));

    /// <summary>base64url of <paramref name="json"/>, written verbatim (exact header bytes matter for some tests).</summary>
    public static string Segment(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    /// <summary>An HS256 JWS built by hand: <paramref name="header"/> and <paramref name="payload"/> exactly as given.</summary>
    public static string SignHs256(string header, object payload, byte[] secret)
    {
        var signingInput = Segment(header) + "." + Segment(payload);
        var signature = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    /// <summary>The raw <c>WWW-Authenticate</c> header, or an empty string.</summary>
    public static string Challenge(HttpResponseMessage response)
        => response.Headers.TryGetValues("WWW-Authenticate", out var values) ? string.Join(", ", values) : string.Empty;

    /// <summary>The <c>error</c> parameter of the Bearer challenge, or null.</summary>
    public static string? Error(HttpResponseMessage response)
        => ErrorRegex().Match(Challenge(response)) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The <c>error_description</c> parameter of the Bearer challenge, or null.</summary>
    public static string? ErrorDescription(HttpResponseMessage response)
        => DescriptionRegex().Match(Challenge(response)) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The principal the test endpoints answer.</summary>
    public static async Task<PrincipalDto> PrincipalAsync(HttpResponseMessage response)
        => await response.Content.ReadFromJsonAsync<PrincipalDto>() ?? throw new InvalidOperationException("The response has no body.");

    [GeneratedRegex(@"(?:^|[ ,])error=""([^""]*)""", RegexOptions.None, "en-US")]
    private static partial Regex ErrorRegex();

    [GeneratedRegex(@"error_description=""((?:[^""\\]|\\.)*)""", RegexOptions.None, "en-US")]
    private static partial Regex DescriptionRegex();
}

/// <summary>The JSON the test endpoints answer.</summary>
internal sealed record PrincipalDto(bool Authenticated, string? Sub, string? ClientId, string[] Scopes, string[] Roles, string? Source);
