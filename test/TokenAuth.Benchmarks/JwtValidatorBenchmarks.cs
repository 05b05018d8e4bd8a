using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth.Benchmarks;

/// <summary>
/// Where the time of a JWT validation goes: IdentityModel's <c>ValidateTokenAsync</c> alone (the floor), the same with the
/// claims identity JwtBearer builds from it, and TokenAuth's validator (IdentityModel plus the TokenInfo it maps).
/// Baseline: <c>ValidateTokenAsync</c> and its claims identity, as JwtBearer does it.
/// </summary>
[MemoryDiagnoser]
public class JwtValidatorBenchmarks
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private TokenValidationParameters _parameters = null!;
    private JwtTokenValidator _validator = null!;
    private string _jwt = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var rsa = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "bench" };
        _jwt = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://issuer.bench",
            Audience = "api",
            Subject = new System.Security.Claims.ClaimsIdentity([new("sub", "user-1"), new("scope", "read write"), new("client_id", "c")]),
            Expires = DateTime.UtcNow.AddDays(1),
            SigningCredentials = new SigningCredentials(rsa, SecurityAlgorithms.RsaSha256),
        });
        _parameters = new TokenValidationParameters { ValidIssuer = "https://issuer.bench", ValidAudience = "api", IssuerSigningKey = rsa };
        var options = new JwtValidationOptions { TokenValidationParameters = _parameters };
        _validator = new JwtTokenValidator(options, TimeProvider.System, NullLogger.Instance);
        if ((await _validator.ValidateAsync(_jwt, default)).Status != TokenCheckStatus.Valid || !(await _handler.ValidateTokenAsync(_jwt, _parameters)).IsValid)
        {
            throw new InvalidOperationException("The token does not validate.");
        }
    }

    [Benchmark(Baseline = true)]
    public async Task<object> IdentityModel_WithClaimsIdentity()
    {
        var result = await _handler.ValidateTokenAsync(_jwt, _parameters);
        return result.ClaimsIdentity;
    }

    [Benchmark]
    public async Task<object> IdentityModel_Alone() => await _handler.ValidateTokenAsync(_jwt, _parameters);

    [Benchmark]
    public async Task<object> TokenAuth_Validator() => await _validator.ValidateAsync(_jwt, default);
}
