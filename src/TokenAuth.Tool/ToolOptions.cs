using System.CommandLine;

namespace TokenAuth.Tool;

/// <summary>Options several commands share, and their parsing.</summary>
internal static class ToolOptions
{
    /// <summary><c>--project</c>: the app's project, as <c>dotnet user-secrets</c> takes it.</summary>
    public static Option<string?> Project() => new("--project", "-p")
    {
        Description = "The app's project: its .csproj or its folder. Default: the current directory.",
        HelpName = "dir or csproj",
    };

    /// <summary><c>--url</c>: a running app.</summary>
    public static Option<string?> Url(bool required) => new("--url")
    {
        Description = "The running app's base address, e.g. http://localhost:5000 (its /oauth/token, /oauth/introspect and /oauth/revoke endpoints).",
        HelpName = "url",
        Required = required,
    };

    /// <summary><c>--client</c>: the client that authenticates.</summary>
    public static Option<string> Client(string description) => new("--client") { Description = description, HelpName = "id", Required = true };

    /// <summary>Scopes given as one space-separated value, checked against RFC 6749 §3.3 (scope-token = 1*NQCHAR).</summary>
    public static IReadOnlyList<string> SplitScopes(string? value)
    {
        var scopes = (value ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (scopes.FirstOrDefault(s => s.Any(c => c is < '!' or > '~' or '"' or '\\')) is { } bad)
        {
            throw ToolException.Usage($"'{bad}' is not a scope (RFC 6749 §3.3: printable ASCII without space, '\"' or '\\').");
        }

        return [.. scopes.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The base address of a running app, checked.</summary>
    public static Uri BaseAddress(string value)
        => Uri.TryCreate(value.EndsWith('/') ? value : value + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw ToolException.Usage($"--url '{value}' is not an http:// or https:// address.");
}
