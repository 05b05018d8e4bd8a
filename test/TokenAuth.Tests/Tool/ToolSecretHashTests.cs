using TokenAuth.Server;

namespace TokenAuth.Tests.Tool;

/// <summary><c>dotnet tokenauth secret hash</c>: the secret comes from stdin, never the command line.</summary>
public sealed class ToolSecretHashTests : IDisposable
{
    private readonly ToolProject _project = ToolProject.CopyOfSample();

    [Fact]
    public async Task SecretHash_FromStdin_PrintsAPbkdf2HashOfIt()
    {
        var result = await _project.PipeAsync("a person's secret\n", null, "secret", "hash");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("PBKDF2-SHA256$", result.Line, StringComparison.Ordinal);
        Assert.True(ClientSecretHasher.Verify("a person's secret", result.Line));
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task SecretHash_Generated_PrintsTheSha256HashTheSampleAccepts()
    {
        var secret = ClientSecretHasher.GenerateSecret();

        var result = await _project.PipeAsync(secret + "\r\n", null, "secret", "hash", "--generated");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(ClientSecretHasher.HashGenerated(secret), result.Line);
    }

    [Fact]
    public async Task SecretHash_GeneratedButShort_Exit1WithoutEchoingTheSecret()
    {
        var result = await _project.PipeAsync("short-secret", null, "secret", "hash", "--generated");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.Contains("43", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("short-secret", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretHash_NothingOnStdin_Exit1()
    {
        var result = await _project.PipeAsync("\n", null, "secret", "hash");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No secret on standard input", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretHash_SecretOnTheCommandLine_IsRefusedAsAnUnknownArgument()
    {
        var result = await _project.PipeAsync("", null, "secret", "hash", "demo-secret");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _project.Dispose();
}
