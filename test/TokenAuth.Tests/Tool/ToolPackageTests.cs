using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using TokenAuth.Server;
using TokenAuth.Tests.Readme;

namespace TokenAuth.Tests.Tool;

/// <summary>
/// The packed tool as a user gets it: the package <see cref="ReadmePackages"/> packs into its temporary feed (after
/// TokenAuth and TokenAuth.Server, reusing their Release build), <c>dotnet tool install --tool-path</c>, then the
/// installed <c>tokenauth</c> command run as a process with real standard streams.
/// </summary>
[Collection(ReadmeCollectionDefinition.Name)]
public sealed class ToolPackageTests(ReadmePackages packages) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tokenauth-toolpack-" + RandomNumberGenerator.GetHexString(12, lowercase: true));

    [Fact]
    public async Task PackedTool_InstalledWithToolPath_AddsAClientAndHashesFromStdin()
    {
        var tools = Path.Combine(_root, "tools");
        var app = Path.Combine(_root, "app");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "appsettings.json"), "{\n  // the app's own settings\n  \"AllowedHosts\": \"*\"\n}\n");
        // Outside the feed's folder, so that only --add-source (and the machine's sources) apply.
        await DotnetProcess.RunAsync(_root, TimeSpan.FromMinutes(2), "tool", "install", "TokenAuth.Tool", "--tool-path", tools, "--add-source", packages.Feed, "--version", packages.Version);
        var tokenauth = Path.Combine(tools, OperatingSystem.IsWindows() ? "tokenauth.exe" : "tokenauth");

        var added = await RunAsync(tokenauth, app, string.Empty, "client", "add", "packed-client", "--scopes", "read", "--appsettings", "appsettings.json");
        var hashed = await RunAsync(tokenauth, app, "a chosen secret\n", "secret", "hash");
        var usage = await RunAsync(tokenauth, app, string.Empty, "client");

        Assert.True(added.ExitCode == 0, added.ToString());
        var written = await File.ReadAllTextAsync(Path.Combine(app, "appsettings.json"));
        Assert.Contains("// the app's own settings", written, StringComparison.Ordinal);
        var hash = JsonNode.Parse(written, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!
            ["TokenServer:Clients:packed-client"]!["ClientSecretHashes"]![0]!.GetValue<string>();
        Assert.True(ClientSecretHasher.Verify(added.Line, hash));
        Assert.True(hashed.ExitCode == 0, hashed.ToString());
        Assert.True(ClientSecretHasher.Verify("a chosen secret", hashed.Line));
        Assert.Equal(1, usage.ExitCode);
        Assert.Contains("Required command was not provided", usage.Error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static async Task<ToolResult> RunAsync(string executable, string directory, string stdin, params string[] args)
    {
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("TOKENAUTH_CLIENT_SECRET");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return new ToolResult(process.ExitCode, await output, await error);
    }
}
