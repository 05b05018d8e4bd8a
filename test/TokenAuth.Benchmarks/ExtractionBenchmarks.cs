using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using TokenAuth;

namespace TokenAuth.Benchmarks;

/// <summary>
/// Reading the token from a request. Baseline: the least any handler must do — one header read and a prefix
/// check — against TokenAuth reading every enabled source (to catch two different tokens) and the shape guard. ValueTask
/// results, so that what is counted is the extraction's: from the header, the token string (112 bytes) and nothing else.
/// </summary>
[MemoryDiagnoser]
public class ExtractionBenchmarks
{
    private const string Token = "DmHBlc7Ez9MynG92tUxHQGp1VJqdkBzBNCwgcqSS6oQ";
    private readonly TokenSourceOptions _options = new();
    private DefaultHttpContext _header = null!;
    private DefaultHttpContext _query = null!;

    [GlobalSetup]
    public void Setup()
    {
        _header = new DefaultHttpContext();
        _header.Request.Headers.Authorization = "Bearer " + Token;
        _query = new DefaultHttpContext();
        _query.Request.QueryString = new QueryString("?access_token=" + Token);
    }

    [Benchmark(Baseline = true)]
    public string? HeaderOnly_Baseline()
    {
        StringValues value = _header.Request.Headers.Authorization;
        var text = value.ToString();
        return text.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? text[7..] : null;
    }

    [Benchmark]
    public async ValueTask<string?> TokenAuth_AuthorizationHeader()
    {
        var result = await TokenExtractor.ExtractAsync(_header, _options, CancellationToken.None);
        return TokenShape.Check(result.Token!, TokenAuthDefaults.MaxTokenLength) ?? result.Token;
    }

    [Benchmark]
    public async ValueTask<string?> TokenAuth_Query()
    {
        var result = await TokenExtractor.ExtractAsync(_query, _options, CancellationToken.None);
        return TokenShape.Check(result.Token!, TokenAuthDefaults.MaxTokenLength) ?? result.Token;
    }

    [Benchmark]
    public TokenHash TokenHash_Sha256() => TokenHash.Compute(Token);
}
