// Both namespaces imported, no alias — as a host's validator on JsonWebTokenHandler has them. That this file compiles is
// half the test: before the rename, "TokenValidationResult" named a type in each namespace and this did not.
using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TokenAuth;
using TokenAuth.Tests.Infrastructure;

namespace HostCode.Validators;

/// <summary>A host's validator on IdentityModel: its own <c>TokenValidationResult</c> in, TokenAuth's <c>TokenCheckResult</c> out.</summary>
public sealed class IdentityModelValidator(SecurityKey key, TimeProvider time) : ITokenValidator
{
    private readonly JsonWebTokenHandler _handler = new();

    public async ValueTask<TokenCheckResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        TokenValidationResult result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidIssuer = "https://host.test",
            ValidAudience = "api",
            LifetimeValidator = (notBefore, expires, _, _) => expires > time.GetUtcNow().UtcDateTime,
        });
        return result.IsValid
            ? TokenCheckResult.Valid(new TokenInfo { Subject = (string)result.Claims["sub"], ExpiresAt = new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero) })
            : TokenCheckResult.Invalid("The token is not valid.", result.Exception);
    }
}

public sealed class IdentityModelValidatorTests
{
    [Fact]
    public async Task ValidatorOnJsonWebTokenHandler_BothNamespacesImported_Authenticates()
    {
        var key = new SymmetricSecurityKey(new byte[32]) { KeyId = "k" };
        await using var app = await TestApp.StartAsync(o => o.Validator = new IdentityModelValidator(key, TimeProvider.System));
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://host.test",
            Audience = "api",
            Claims = new Dictionary<string, object> { ["sub"] = "ann" },
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });

        using var ok = await app.Client.SendAsync(TestApp.Get("/protected", token));
        using var forged = await app.Client.SendAsync(TestApp.Get("/protected", token[..^2] + (token[^2] == 'A' ? "BB" : "AA")));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("\"sub\":\"ann\"", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }
}
