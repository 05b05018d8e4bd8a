using TokenAuth.Tool;

namespace TokenAuth.Tests.Tool;

/// <summary>
/// A temporary copy of the sample's project files (its <c>.csproj</c>, with the sample's <c>UserSecretsId</c>, and its
/// commented <c>appsettings.json</c>) and a temporary user-secrets folder, so that the tool never touches the real
/// sample or <c>~/.microsoft/usersecrets</c>. The tool runs in-process on captured streams.
/// </summary>
public sealed class ToolProject : IDisposable
{
    private ToolProject(string root)
    {
        Root = root;
        Directory = Path.Combine(root, "app");
        UserSecretsRoot = Path.Combine(root, "usersecrets");
        System.IO.Directory.CreateDirectory(Directory);
        var sample = Path.Combine(RepositoryRoot, "src", "TokenAuth.Sample");
        File.Copy(Path.Combine(sample, "TokenAuth.Sample.csproj"), Path.Combine(Directory, "TokenAuth.Sample.csproj"));
        File.Copy(Path.Combine(sample, "appsettings.json"), AppSettings);
    }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The temporary folder (removed on dispose).</summary>
    public string Root { get; }

    /// <summary>The project folder: the sample's content root in <see cref="ToolSample"/>.</summary>
    public string Directory { get; }

    public string UserSecretsRoot { get; }

    public string AppSettings => Path.Combine(Directory, "appsettings.json");

    /// <summary>Where the tool writes this project's user secrets (under <see cref="UserSecretsRoot"/>).</summary>
    public string UserSecretsFile => ProjectFiles.Find(Directory, Environment()).UserSecretsPath(Environment());

    public static ToolProject CopyOfSample() => new(Path.Combine(Path.GetTempPath(), "tokenauth-tool-" + Guid.NewGuid().ToString("N")[..12]));

    /// <summary>Runs <c>dotnet tokenauth <paramref name="args"/></c> in the project folder with <paramref name="stdin"/> as standard input.</summary>
    public async Task<ToolResult> PipeAsync(string stdin, IReadOnlyDictionary<string, string>? variables, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await TokenAuthTool.RunAsync(args, Environment(input, output, error, variables));
        return new ToolResult(code, output.ToString(), error.ToString());
    }

    public Task<ToolResult> RunAsync(params string[] args) => PipeAsync(string.Empty, null, args);

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Root))
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
    }

    private ToolEnvironment Environment(TextReader? input = null, TextWriter? output = null, TextWriter? error = null, IReadOnlyDictionary<string, string>? variables = null) => new()
    {
        In = input ?? TextReader.Null,
        Out = output ?? TextWriter.Null,
        Error = error ?? TextWriter.Null,
        CurrentDirectory = Directory,
        UserSecretsRoot = UserSecretsRoot,
        // Only what the test gives: the real TOKENAUTH_CLIENT_SECRET of whoever runs the tests must not leak in.
        GetVariable = name => variables?.GetValueOrDefault(name),
    };

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
}

/// <summary>What one run of the tool gave: its exit code, stdout and stderr.</summary>
public sealed record ToolResult(int ExitCode, string Out, string Error)
{
    /// <summary>stdout's only line (the secret, hash or token a script would capture).</summary>
    public string Line => Assert.Single(Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Trim();

    public override string ToString() => $"exit {ExitCode}\nstdout: {Out}\nstderr: {Error}";
}
