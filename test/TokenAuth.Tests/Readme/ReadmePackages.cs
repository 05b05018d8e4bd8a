using System.Diagnostics;
using System.Globalization;
using System.Security;
using System.Security.Cryptography;

namespace TokenAuth.Tests.Readme;

/// <summary>
/// Packs <c>src/TokenAuth</c> and <c>src/TokenAuth.Server</c> once per test run into a feed in a temporary folder outside
/// the repository, and creates there the projects that build README programs against it, as a user's project would.
/// <c>src/TokenAuth.Tool</c> is packed into the same feed, after them, reusing their Release build, for the test that
/// installs the tool.
/// </summary>
/// <remarks>
/// The version is new on every run (<c>0.1.0-readme.&lt;time&gt;&lt;random&gt;</c>), so NuGet's global packages folder,
/// which never refreshes a version it holds, cannot hand a project the build of an earlier run; that version's folders
/// are deleted from it on dispose. The pack's bin and obj go under the temporary folder too (<c>--artifacts-path</c>),
/// so the repository's own outputs and <c>.ci/run</c>'s <c>artifacts/packages</c> are never touched.
/// </remarks>
public sealed class ReadmePackages : IAsyncLifetime
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(3);
    private static readonly string[] PackageIds = ["TokenAuth", "TokenAuth.Server", "TokenAuth.Tool"];

    private string? _globalPackagesFolder;

    public ReadmePackages()
    {
        RepositoryRoot = FindRepositoryRoot();
        Version = string.Create(CultureInfo.InvariantCulture, $"0.1.0-readme.{DateTime.UtcNow:yyyyMMddHHmmss}{RandomNumberGenerator.GetHexString(6, lowercase: true)}");
        WorkDirectory = Path.Combine(Path.GetTempPath(), "tokenauth-readme-" + Version);
        if (Path.GetFullPath(WorkDirectory).StartsWith(RepositoryRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The temporary folder {WorkDirectory} is inside the repository; its Directory.Build.props would apply.");
        }
    }

    /// <summary>The folder that holds <c>TokenAuth.sln</c>.</summary>
    public string RepositoryRoot { get; }

    /// <summary>The version every package was packed under.</summary>
    public string Version { get; }

    /// <summary>The temporary folder: <c>nuget.config</c>, the feed, the pack's outputs and one folder per program.</summary>
    public string WorkDirectory { get; }

    public string Feed => Path.Combine(WorkDirectory, "feed");

    /// <summary>What the packs printed, and how long they took.</summary>
    public string PackLog { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        try
        {
            await PackAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Creates <c>&lt;WorkDirectory&gt;/&lt;name&gt;</c>: a <c>dotnet new web</c> project (net10.0, nullable, implicit usings)
    /// that references both packages, with <paramref name="program"/> as its <c>Program.cs</c>.
    /// </summary>
    /// <returns>The project's folder; the app builds to <c>bin/Debug/net10.0/ReadmeProgram.dll</c>.</returns>
    public string CreateProject(string name, string program)
    {
        var directory = Path.Combine(WorkDirectory, name);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "ReadmeProgram.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TokenAuth" Version="{Version}" />
                <PackageReference Include="TokenAuth.Server" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), program);
        return directory;
    }

    public Task DisposeAsync()
    {
        if (_globalPackagesFolder is not null)
        {
            foreach (var id in PackageIds)
            {
                // NuGet keeps ids and versions in lower case on disk.
                DeleteDirectory(Path.Combine(_globalPackagesFolder, id.ToLowerInvariant(), Version.ToLowerInvariant()));
            }
        }

        DeleteDirectory(WorkDirectory);
        return Task.CompletedTask;
    }

    private async Task PackAsync()
    {
        Directory.CreateDirectory(Feed);
        var watch = Stopwatch.StartNew();
        foreach (var id in PackageIds)
        {
            PackLog += await DotnetProcess.RunAsync(
                RepositoryRoot,
                PackTimeout,
                "pack", Path.Combine(RepositoryRoot, "src", id, id + ".csproj"),
                "-c", "Release", "-o", Feed, "--artifacts-path", Path.Combine(WorkDirectory, "artifacts"),
                "-p:Version=" + Version, "-nologo", "-v", "q", "-nodeReuse:false");
        }

        PackLog += $"packed {string.Join(", ", PackageIds)} {Version} in {watch.Elapsed.TotalSeconds:0.0} s\n";

        // Every project below WorkDirectory finds this file first; without <clear/> the machine's and the user's
        // sources still apply, so the packages' own dependencies restore from wherever they always do.
        await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="tokenauth-readme" value="{SecurityElement.Escape(Feed)}" />
              </packageSources>
            </configuration>
            """);

        // Where restore will extract the packages: NUGET_PACKAGES, a globalPackagesFolder setting, or ~/.nuget/packages.
        var locals = await DotnetProcess.RunAsync(WorkDirectory, TimeSpan.FromMinutes(1), "nuget", "locals", "global-packages", "--list", "--force-english-output");
        const string prefix = "global-packages:";
        _globalPackagesFolder = locals.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..].Trim()
            ?? throw new InvalidOperationException("`dotnet nuget locals global-packages --list` named no folder:\n" + locals);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TokenAuth.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No TokenAuth.sln above {AppContext.BaseDirectory}.");
    }

    private static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ReadmeCollectionDefinition : ICollectionFixture<ReadmePackages>
{
    /// <summary>One collection: its tests run one after the other, sharing one pack.</summary>
    public const string Name = "README programs";
}
