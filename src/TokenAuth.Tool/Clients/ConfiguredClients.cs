using Microsoft.Extensions.Configuration;

namespace TokenAuth.Tool;

/// <summary>
/// The clients configuration files already give <c>TokenServer:Clients</c>, file by file, and the key a new client is
/// written under so that it merges with none of them.
/// </summary>
/// <remarks>
/// Configuration sources merge key by key, and an array's elements are keys <c>0</c>, <c>1</c>…: a client written at
/// <c>TokenServer:Clients:0</c> in user secrets would not be added, it would overwrite appsettings.json's first client
/// field by field (its id and secret hashes replaced, its redirect URIs and grants kept). The configuration binder fills
/// a list from every child of the section, whatever its key, so the tool writes a client under a key of its own —
/// the client id — which no array index is, and which stays clear of the arrays however they grow later.
/// </remarks>
internal static class ConfiguredClients
{
    /// <summary>The section the token server's clients are bound from (see the sample's <c>Program.cs</c>).</summary>
    public const string Section = "TokenServer:Clients";

    /// <summary>
    /// The key of the client under <see cref="Section"/>: its id, or <c>client-&lt;id&gt;</c> for an id of digits
    /// alone, which would be an array index.
    /// </summary>
    public static string KeyFor(string clientId) => clientId.All(char.IsAsciiDigit) ? "client-" + clientId : clientId;

    /// <summary>The clients <paramref name="file"/> configures: each one's key under <see cref="Section"/> and its id.</summary>
    /// <exception cref="ToolException">The file is not valid JSON.</exception>
    public static IReadOnlyList<(string Key, string? ClientId)> Read(string file)
    {
        if (!File.Exists(file) || string.IsNullOrWhiteSpace(File.ReadAllText(file)))
        {
            return [];
        }

        IConfigurationRoot configuration;
        try
        {
            configuration = new ConfigurationBuilder().AddJsonFile(file, optional: false).Build();
        }
        catch (InvalidDataException e)
        {
            throw ToolException.Usage(e.Message, e);
        }

        return [.. configuration.GetSection(Section).GetChildren().Select(c => (c.Key, c["ClientId"]))];
    }

    /// <summary>
    /// Refuses a client id that one of <paramref name="files"/> already configures (the server would not start), or
    /// a key already taken.
    /// </summary>
    public static void EnsureAbsent(string clientId, IEnumerable<string> files)
    {
        var key = KeyFor(clientId);
        foreach (var file in files.Distinct(StringComparer.Ordinal))
        {
            foreach (var (existingKey, existingId) in Read(file))
            {
                // The server compares ids ordinally; configuration compares keys ignoring case.
                if (string.Equals(existingId, clientId, StringComparison.Ordinal))
                {
                    throw ToolException.Usage($"The client '{clientId}' already exists in {file} ({Section}:{existingKey}); remove it there first, or choose another id.");
                }

                if (string.Equals(existingKey, key, StringComparison.OrdinalIgnoreCase))
                {
                    throw ToolException.Usage($"{file} already has a {Section}:{existingKey} entry (client '{existingId}'); remove it there first, or choose another id.");
                }
            }
        }
    }
}
