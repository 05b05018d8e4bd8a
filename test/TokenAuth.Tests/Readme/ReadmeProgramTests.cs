using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace TokenAuth.Tests.Readme;

/// <summary>
/// The README's C# blocks that are whole programs, used as a reader uses them: pasted as the <c>Program.cs</c> of a
/// fresh web project that references the packed packages, built, run on Kestrel and called over HTTP.
/// </summary>
[Collection(ReadmeCollectionDefinition.Name)]
public sealed class ReadmeProgramTests(ReadmePackages packages, ITestOutputHelper output)
{
    private const string QuickStartHeading = "## Quick start";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Readme_WholePrograms_IncludeQuickStart()
    {
        var programs = WholePrograms(packages.RepositoryRoot);

        Assert.Contains(programs, p => p.Heading == QuickStartHeading);
    }

    [Fact]
    public async Task QuickStart_BuiltFromPackages_IssuesTokenAndGuardsApiMe()
    {
        var quickStart = Assert.Single(WholePrograms(packages.RepositoryRoot), p => p.Heading == QuickStartHeading);
        await using var app = await BuildAndStartAsync(quickStart);

        using var tokenResponse = await app.Client.PostAsync(new Uri("/oauth/token", UriKind.Relative), new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"), new("client_id", "demo-client"), new("client_secret", "demo-secret"),
        ]));
        var tokenBody = await app.AssertStatusAsync(HttpStatusCode.OK, tokenResponse, "POST /oauth/token");
        using var json = JsonDocument.Parse(tokenBody);
        var token = json.RootElement.TryGetProperty("access_token", out var value) ? value.GetString() : null;
        Assert.False(string.IsNullOrEmpty(token), "POST /oauth/token answered no access_token: " + tokenBody);

        using var withToken = new HttpRequestMessage(HttpMethod.Get, "/api/me") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        using var me = await app.Client.SendAsync(withToken);
        output.WriteLine("GET /api/me with the token: " + await app.AssertStatusAsync(HttpStatusCode.OK, me, "GET /api/me with the token"));

        using var anonymous = await app.Client.GetAsync(new Uri("/api/me", UriKind.Relative));
        await app.AssertStatusAsync(HttpStatusCode.Unauthorized, anonymous, "GET /api/me without a token");
    }

    [Fact]
    public async Task OtherWholePrograms_BuiltFromPackages_StartAndDoNotAnswer500()
    {
        var others = WholePrograms(packages.RepositoryRoot).Where(p => p.Heading != QuickStartHeading).ToList();
        output.WriteLine($"{others.Count} whole program(s) besides the quick start");

        foreach (var program in others)
        {
            await using var app = await BuildAndStartAsync(program);

            using var root = await app.Client.GetAsync(new Uri("/", UriKind.Relative));
            await app.AssertAnswerAsync(root, $"GET / of the program under {program}", s => s != HttpStatusCode.InternalServerError, "anything but 500");
        }
    }

    /// <summary>Every <c>```csharp</c> block of README.md that is a whole program, with the heading it stands under.</summary>
    private static List<ReadmeBlock> WholePrograms(string repositoryRoot)
    {
        var lines = File.ReadAllLines(Path.Combine(repositoryRoot, "README.md"));
        var blocks = new List<ReadmeBlock>();
        var heading = string.Empty;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#'))
            {
                heading = lines[i].Trim();
            }
            else if (lines[i].StartsWith("```", StringComparison.Ordinal))
            {
                var language = lines[i][3..].Trim();
                var start = i + 1;
                for (i = start; i < lines.Length && lines[i].TrimEnd() != "```"; i++)
                {
                }

                var code = string.Join('\n', lines[start..i]) + "\n";
                if (language is "csharp" or "cs" or "c#"
                    && code.Contains("WebApplication.CreateBuilder(", StringComparison.Ordinal)
                    && code.Contains("app.Run(", StringComparison.Ordinal))
                {
                    blocks.Add(new ReadmeBlock(heading, start, code));
                }
            }
        }

        return blocks;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Builds <paramref name="block"/> as a whole Program.cs against the packed packages and starts it on a free port.</summary>
    private async Task<ReadmeApp> BuildAndStartAsync(ReadmeBlock block)
    {
        output.WriteLine(packages.PackLog);
        var directory = packages.CreateProject("readme-line-" + block.Line, block.Code);
        var watch = Stopwatch.StartNew();
        string build;
        try
        {
            build = await DotnetProcess.RunAsync(directory, BuildTimeout, "build", "-nologo", "-v", "q", "-nodeReuse:false");
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            throw new XunitException($"The block under {block} does not build as the whole Program.cs of a web project:\n{e.Message}");
        }

        // A reader who pastes the block should not be greeted by compiler warnings either.
        var warnings = build.Split('\n').Where(l => l.Contains("warning CS", StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(warnings.Count == 0, $"The block under {block} builds with warnings:\n{string.Join('\n', warnings)}");
        output.WriteLine($"{block}: built in {watch.Elapsed.TotalSeconds:0.0} s ({directory})");

        watch.Restart();
        var baseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var process = DotnetProcess.Start(
            directory,
            [Path.Combine(directory, "bin", "Debug", "net10.0", "ReadmeProgram.dll"), "--urls", baseAddress.ToString()],
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        var app = new ReadmeApp(process, baseAddress, output);
        try
        {
            await app.WaitUntilAnsweringAsync(StartTimeout);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        output.WriteLine($"{block}: answering on {baseAddress} after {watch.Elapsed.TotalSeconds:0.0} s");
        return app;
    }

    private sealed record ReadmeBlock(string Heading, int Line, string Code)
    {
        public override string ToString() => $"\"{Heading}\" (README.md line {Line})";
    }

    /// <summary>A README program running in a child process; its output goes into every failure message.</summary>
    private sealed class ReadmeApp(DotnetProcess process, Uri baseAddress, ITestOutputHelper output) : IAsyncDisposable
    {
        public HttpClient Client { get; } = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };

        public async Task WaitUntilAnsweringAsync(TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    (await Client.GetAsync(new Uri("/", UriKind.Relative))).Dispose();
                    return;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    await Task.Delay(200);
                }
            }

            var why = process.HasExited ? "exited" : $"did not answer within {timeout.TotalSeconds:0} s";
            throw new XunitException($"The program at {baseAddress} {why}:\n{process.Output}");
        }

        /// <summary>Fails, with the body and the program's output, unless <paramref name="response"/> has <paramref name="expected"/>; returns the body.</summary>
        public Task<string> AssertStatusAsync(HttpStatusCode expected, HttpResponseMessage response, string request)
            => AssertAnswerAsync(response, request, s => s == expected, $"{(int)expected} {expected}");

        public async Task<string> AssertAnswerAsync(HttpResponseMessage response, string request, Func<HttpStatusCode, bool> isExpected, string expectation)
        {
            var body = await response.Content.ReadAsStringAsync();
            if (!isExpected(response.StatusCode))
            {
                throw new XunitException(
                    $"{request}: expected {expectation}, got {(int)response.StatusCode} {response.StatusCode}: {body}\n--- the program's output ---\n{process.Output}");
            }

            return body;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await process.DisposeAsync();
            output.WriteLine("--- the program's output ---\n" + process.Output);
        }
    }
}
