using System.Xml;
using System.Xml.Linq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.UserSecrets;

namespace TokenAuth.Tool;

/// <summary>
/// An app's project as the tool sees it: its folder, its <c>.csproj</c> and that file's <c>UserSecretsId</c>, the
/// <c>appsettings*.json</c> files beside it, and the configuration the app would read from them in an environment.
/// </summary>
internal sealed class ProjectFiles
{
    private ProjectFiles(string directory, string? projectFile, string? userSecretsId)
    {
        Directory = directory;
        ProjectFile = projectFile;
        UserSecretsId = userSecretsId;
    }

    /// <summary>The project's folder.</summary>
    public string Directory { get; }

    /// <summary>The <c>.csproj</c>, if the folder has one.</summary>
    public string? ProjectFile { get; }

    /// <summary>The project's <c>UserSecretsId</c>, as its <c>.csproj</c> sets it.</summary>
    public string? UserSecretsId { get; }

    /// <summary>Every <c>appsettings*.json</c> of the folder — each environment's, not only the current one's.</summary>
    public IReadOnlyList<string> AppSettingsFiles => [.. System.IO.Directory.GetFiles(Directory, "appsettings*.json").Order(StringComparer.Ordinal)];

    /// <summary>
    /// Finds the project: <paramref name="path"/> is a <c>.csproj</c> or a folder holding exactly one (the working
    /// directory when <see langword="null"/>). A folder without one is accepted, as a project without user secrets.
    /// </summary>
    /// <exception cref="ToolException">The path does not exist, holds several projects, or its project file cannot be read.</exception>
    public static ProjectFiles Find(string? path, ToolEnvironment environment)
    {
        var full = Path.GetFullPath(path ?? ".", environment.CurrentDirectory);
        string directory;
        string? projectFile;
        if (File.Exists(full))
        {
            if (!full.EndsWith("proj", StringComparison.OrdinalIgnoreCase))
            {
                throw ToolException.Usage($"--project names {full}, which is not a project file; give the app's .csproj or its folder.");
            }

            projectFile = full;
            directory = Path.GetDirectoryName(full)!;
        }
        else if (System.IO.Directory.Exists(full))
        {
            var projects = System.IO.Directory.GetFiles(full, "*.csproj");
            if (projects.Length > 1)
            {
                throw ToolException.Usage($"{full} holds {projects.Length} project files; name one with --project <file>.");
            }

            projectFile = projects.SingleOrDefault();
            directory = full;
        }
        else
        {
            throw ToolException.Usage($"The project {full} does not exist.");
        }

        return new ProjectFiles(directory, projectFile, projectFile is null ? null : ReadUserSecretsId(projectFile));
    }

    /// <summary>
    /// The <c>secrets.json</c> the app reads in Development: under <see cref="ToolEnvironment.UserSecretsRoot"/> when
    /// set, else where ASP.NET Core's user-secrets provider looks (<see cref="PathHelper"/>).
    /// </summary>
    /// <exception cref="ToolException">The project has no <c>UserSecretsId</c>.</exception>
    public string UserSecretsPath(ToolEnvironment environment)
    {
        if (UserSecretsId is null)
        {
            throw ToolException.Usage(ProjectFile is null
                ? $"{Directory} has no .csproj, so no user secrets; pass --project <dir or csproj>, or --appsettings <file>."
                : $"{ProjectFile} has no <UserSecretsId>; run `dotnet user-secrets init --project {ProjectFile}`, or pass --appsettings <file>.");
        }

        if (environment.UserSecretsRoot is not { } root)
        {
            return PathHelper.GetSecretsPathFromSecretsId(UserSecretsId);
        }

        // The same check PathHelper makes: the id becomes a folder name.
        if (UserSecretsId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || UserSecretsId is "." or "..")
        {
            throw ToolException.Usage($"The UserSecretsId '{UserSecretsId}' of {ProjectFile} cannot be a folder name.");
        }

        return Path.Combine(root, UserSecretsId, "secrets.json");
    }

    /// <summary>
    /// The configuration the app reads in <paramref name="environmentName"/> from its files, in ASP.NET Core's order:
    /// <c>appsettings.json</c>, <c>appsettings.{environment}.json</c>, then user secrets in Development. Environment
    /// variables and the command line are left out: the tool works from what the project's files say.
    /// </summary>
    public IConfiguration BuildConfiguration(string environmentName, ToolEnvironment environment)
    {
        var builder = new ConfigurationBuilder();
        foreach (var name in new[] { "appsettings.json", $"appsettings.{environmentName}.json" })
        {
            var file = Path.Combine(Directory, name);
            if (File.Exists(file))
            {
                builder.AddJsonFile(file, optional: false);
            }
        }

        if (string.Equals(environmentName, "Development", StringComparison.OrdinalIgnoreCase) && UserSecretsId is not null
            && UserSecretsPath(environment) is var secrets && File.Exists(secrets))
        {
            builder.AddJsonFile(secrets, optional: false);
        }

        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            throw ToolException.Usage(e.Message, e);
        }
    }

    private static string? ReadUserSecretsId(string projectFile)
    {
        try
        {
            var id = XDocument.Load(projectFile).Descendants().FirstOrDefault(e => e.Name.LocalName == "UserSecretsId")?.Value.Trim();
            return string.IsNullOrEmpty(id) ? null : id;
        }
        catch (XmlException e)
        {
            throw ToolException.Usage($"{projectFile} is not a readable project file: {e.Message}", e);
        }
    }
}
