using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth.Benchmarks;

/// <summary>
/// Where a cold JWT validation's CPU time goes, interleaved rounds and medians as in the CPU-time mode: the RS256
/// signature check alone (RSA over the signed bytes), IdentityModel's <c>ValidateTokenAsync</c>, the same with the claims
/// identity JwtBearer reads, and TokenAuth's validator.
/// <code>dotnet run -c Release --project test/TokenAuth.Benchmarks -- jwtparts [rounds=21] [calls=2000]</code>
/// </summary>
internal static class JwtPartsRunner
{
    public static async Task RunAsync(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 21;
        var calls = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 2000;
        var rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = "bench" };
        var handler = new JsonWebTokenHandler { MapInboundClaims = false };
        var jwt = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://issuer.bench",
            Audience = "api",
            Subject = new System.Security.Claims.ClaimsIdentity([new("sub", "user-1"), new("scope", "read write"), new("client_id", "c")]),
            Expires = DateTime.UtcNow.AddDays(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
        var parameters = new TokenValidationParameters { ValidIssuer = "https://issuer.bench", ValidAudience = "api", IssuerSigningKey = key };
        var validator = new JwtTokenValidator(new JwtValidationOptions { TokenValidationParameters = parameters }, TimeProvider.System, NullLogger.Instance);
        var dot = jwt.LastIndexOf('.');
        var signed = Encoding.ASCII.GetBytes(jwt[..dot]);
        var signature = Base64UrlEncoder.DecodeBytes(jwt[(dot + 1)..]);

        var bench = new AuthenticateBenchmarks();
        await bench.Setup();
        var benchJwt = bench.Scenarios()[0].Token;
        var schemeValidator = bench.Validator("tokenauth-jwt");
        var provider = key.CryptoProviderFactory.CreateForVerifying(key, SecurityAlgorithms.RsaSha256);
        var parts = new (string Name, Func<ValueTask<bool>> Run)[]
        {
            ("AuthenticateAsync JwtBearer", async () => (await bench.AuthenticateAsync("jwtbearer", AuthenticateBenchmarks.Request(benchJwt))).Succeeded),
            ("AuthenticateAsync TokenAuth JWT", async () => (await bench.AuthenticateAsync("tokenauth-jwt", AuthenticateBenchmarks.Request(benchJwt))).Succeeded),
            ("TokenAuth scheme's validator", async () => (await schemeValidator.ValidateAsync(benchJwt!, default)).Status == TokenCheckStatus.Valid),
            ("IdentityModel + ClaimsIdentity", async () => (await handler.ValidateTokenAsync(jwt, parameters)).ClaimsIdentity is not null),
            ("IdentityModel alone", async () => (await handler.ValidateTokenAsync(jwt, parameters)).IsValid),
            ("parse JsonWebToken", () => ValueTask.FromResult(new JsonWebToken(jwt).Alg is not null)),
            ("parse + Claims", () => ValueTask.FromResult(new JsonWebToken(jwt).Claims.ToList().Count > 0)),
            ("parse + SignatureProvider.Verify", () =>
            {
                var token = new JsonWebToken(jwt);
                var input = Encoding.ASCII.GetBytes(jwt.AsSpan(0, dot).ToString());
                return ValueTask.FromResult(provider.Verify(input, signature));
            }),
            ("RS256 signature alone", () => ValueTask.FromResult(rsa.VerifyData(signed, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))),
            ("TokenAuth validator", async () => (await validator.ValidateAsync(jwt, default)).Status == TokenCheckStatus.Valid),
        };
        await RunPartsAsync("JWT validation", parts, rounds, calls);
    }

    /// <summary>
    /// Runs the parts interleaved (every part once per round, shuffled), each round by process CPU time and bytes per call;
    /// prints medians, and the median of each round's ratio to the first part.
    /// </summary>
    internal static async Task RunPartsAsync(string what, IReadOnlyList<(string Name, Func<ValueTask<bool>> Run)> parts, int rounds, int calls)
    {
        var cpu = parts.ToDictionary(p => p.Name, _ => new List<double>());
        var bytes = parts.ToDictionary(p => p.Name, _ => new List<double>());
        // Warm-up, with pauses for tiered compilation to finish (as in CpuTimeRunner).
        for (var pass = 0; pass < 3; pass++)
        {
            foreach (var part in parts)
            {
                await MeasureAsync(part.Run, calls);
            }

            await Task.Delay(500);
        }

        var random = new Random(42);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var part in parts.OrderBy(_ => random.Next()))
            {
                var (c, b) = await MeasureAsync(part.Run, calls);
                cpu[part.Name].Add(c);
                bytes[part.Name].Add(b);
            }
        }

        var baseline = cpu[parts[0].Name];
        Console.WriteLine($"CPU time and bytes per {what}, {rounds} interleaved rounds of {calls} calls, medians");
        Console.WriteLine($"{"part",-34} {"CPU µs",8} {"ratio",8} {"bytes",8}");
        foreach (var part in parts)
        {
            var ratios = cpu[part.Name].Zip(baseline, (v, b) => v / b).Order().ToList();
            Console.WriteLine($"{part.Name,-34} {CpuTimeRunner.Median(cpu[part.Name]),8:F2} {ratios[ratios.Count / 2],8:F2} {CpuTimeRunner.Median(bytes[part.Name]),8:F0}");
        }
    }

    private static async Task<(double Cpu, double Bytes)> MeasureAsync(Func<ValueTask<bool>> run, int calls)
    {
        GC.Collect();
        var cpuBefore = CpuClock.NowMicroseconds();
        var bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < calls; i++)
        {
            if (!await run())
            {
                throw new InvalidOperationException("A part did not validate.");
            }
        }

        var bytesAfter = GC.GetTotalAllocatedBytes(precise: true);
        return ((CpuClock.NowMicroseconds() - cpuBefore) / calls, (double)(bytesAfter - bytesBefore) / calls);
    }
}
