namespace TokenAuth.Tool;

/// <summary>
/// Everything the tool reads from and writes to outside its arguments, so that tests run it in-process: the three
/// standard streams, environment variables, the working directory, where user secrets live, and the HTTP client.
/// </summary>
internal sealed class ToolEnvironment
{
    /// <summary>Standard input: secrets and tokens are read from here, never from the command line.</summary>
    public required TextReader In { get; init; }

    /// <summary>Standard output: only what a script captures (the generated secret, a hash, a token, an introspection answer).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Standard error: errors, and what is said to the person at the terminal.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Whether standard input is a terminal: a secret is then typed at a prompt without echo.</summary>
    public bool InputIsTerminal { get; init; }

    /// <summary>Reads an environment variable (<see cref="Environment.GetEnvironmentVariable(string)"/> outside tests).</summary>
    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The directory relative paths are resolved against.</summary>
    public string CurrentDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>
    /// The folder that holds one <c>&lt;UserSecretsId&gt;/secrets.json</c> per project; <see langword="null"/> (outside
    /// tests): where ASP.NET Core reads them, <c>~/.microsoft/usersecrets</c> or <c>%APPDATA%\Microsoft\UserSecrets</c>.
    /// </summary>
    public string? UserSecretsRoot { get; init; }

    /// <summary>Makes the HTTP client that talks to a running app.</summary>
    public Func<HttpClient> CreateHttpClient { get; init; } = () => new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
}
