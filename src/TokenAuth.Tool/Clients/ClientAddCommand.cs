using System.CommandLine;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenAuth.Server;

namespace TokenAuth.Tool;

/// <summary>
/// <c>client add &lt;id&gt;</c>: a new confidential client with a generated secret, printed once; only the secret's
/// hash is written, to the project's user secrets or a named appsettings file.
/// </summary>
internal static class ClientAddCommand
{
    public static Command Create(ToolEnvironment environment)
    {
        var id = new Argument<string>("id") { Description = "The client id (RFC 6749 §2.2: printable ASCII; no ':', which configuration keys reserve)." };
        var scopes = new Option<string?>("--scopes") { Description = "The scopes it may be granted, space-separated: --scopes \"read write\". Add 'sudo' for a client that may act as users.", HelpName = "scopes" };
        var grants = new Option<string[]>("--grant")
        {
            Description = $"A grant type it may use; repeat for several. Default {GrantTypes.ClientCredentials}. Also: {GrantTypes.RefreshToken}, {GrantTypes.AuthorizationCode} (needs --redirect-uri).",
            HelpName = "grant",
            DefaultValueFactory = _ => [GrantTypes.ClientCredentials],
        };
        var redirectUris = new Option<string[]>("--redirect-uri") { Description = "A redirect URI of the code grant (absolute, no fragment); repeat for several.", HelpName = "uri" };
        var displayName = new Option<string?>("--display-name") { Description = "The name on the consent page and in tokens.", HelpName = "name" };
        var project = ToolOptions.Project();
        var appSettings = new Option<string?>("--appsettings")
        {
            Description = "Write to this appsettings file instead of the project's user secrets (a file the app loads, e.g. appsettings.Development.json).",
            HelpName = "file",
        };

        var command = new Command("add", """
            Adds a client to the project's configuration, under TokenServer:Clients:<id>. Prints its new secret (256
            random bits) once, on stdout; only the secret's SHA-256 hash is stored. Written to the project's user
            secrets (its .csproj's UserSecretsId; loaded by the app in Development) unless --appsettings names a file.
            """)
        {
            id, scopes, grants, redirectUris, displayName, project, appSettings,
        };
        command.SetAction((parse, cancellationToken) => TokenAuthTool.GuardAsync(environment, () =>
        {
            var client = NewClient(
                parse.GetValue(id)!,
                ToolOptions.SplitScopes(parse.GetValue(scopes)),
                [.. parse.GetValue(grants)!.SelectMany(g => g.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))],
                parse.GetValue(redirectUris) ?? [],
                parse.GetValue(displayName),
                out var secret);
            var target = parse.GetValue(appSettings) is { } file ? Path.GetFullPath(file, environment.CurrentDirectory) : null;
            var files = ProjectFiles.Find(parse.GetValue(project) ?? (target is null ? null : Path.GetDirectoryName(target)), environment);
            var userSecrets = target is null || files.UserSecretsId is not null ? files.UserSecretsPath(environment) : null;
            target ??= userSecrets!;

            // Every file of the project that may configure clients: a duplicate id anywhere stops the server at start-up.
            ConfiguredClients.EnsureAbsent(client.ClientId, [.. files.AppSettingsFiles, .. userSecrets is null ? [] : new[] { userSecrets }, target]);
            var key = ConfiguredClients.KeyFor(client.ClientId);
            var created = JsonObjectAppender.AppendToFile(target, $"{ConfiguredClients.Section}:{key}", ToJson(client));

            environment.Error.WriteLine($"Added client '{client.ClientId}' as {ConfiguredClients.Section}:{key} to {(created ? "new file " : string.Empty)}{target}.");
            environment.Error.WriteLine("Its secret follows, shown this once; only its hash is stored. Keep it in your client's secret store:");
            environment.Out.WriteLine(secret);
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    /// <summary>The client, checked by the server's own options validation; its secret is generated here.</summary>
    private static TokenClient NewClient(string id, IReadOnlyList<string> scopes, IList<string> grants, string[] redirectUris, string? displayName, out string secret)
    {
        // RFC 6749 Appendix A.1: client-id = *VSCHAR (%x20-7E). ':' separates configuration keys.
        if (id.Length == 0 || id.Any(c => c is < ' ' or > '~') || id.Contains(':', StringComparison.Ordinal) || id.Trim() != id)
        {
            throw ToolException.Usage($"The client id '{id}' must be printable ASCII without ':' or surrounding blanks.");
        }

        if (grants.Any(g => g is GrantTypes.AuthorizationCode or GrantTypes.Implicit) && redirectUris.Length == 0)
        {
            throw ToolException.Usage("The authorization_code and implicit grants need a --redirect-uri.");
        }

        secret = ClientSecretHasher.GenerateSecret();
        var client = new TokenClient
        {
            ClientId = id,
            DisplayName = displayName,
            // A generated secret has 256 bits of entropy: a fast hash is as safe as PBKDF2 and verifies in microseconds.
            ClientSecretHashes = [ClientSecretHasher.HashGenerated(secret)],
            AllowedGrantTypes = grants,
            AllowedScopes = [.. scopes],
            RedirectUris = redirectUris,
        };
        // The server's own start-up validation (grant types, redirect URIs, hashes), through its public registration.
        using var services = new ServiceCollection().AddTokenAuthServer(o => o.Clients.Add(client)).BuildServiceProvider();
        try
        {
            _ = services.GetRequiredService<IOptions<TokenServerOptions>>().Value;
        }
        catch (Exception e) when (e is InvalidOperationException or OptionsValidationException)
        {
            throw ToolException.Usage(e.Message, e);
        }

        return client;
    }

    /// <summary>The client as <c>TokenServer:Clients</c> binds it; defaults are left out.</summary>
    private static JsonObject ToJson(TokenClient client)
    {
        var json = new JsonObject { [nameof(TokenClient.ClientId)] = client.ClientId };
        if (client.DisplayName is { } name)
        {
            json[nameof(TokenClient.DisplayName)] = name;
        }

        json[nameof(TokenClient.ClientSecretHashes)] = Array(client.ClientSecretHashes);
        json[nameof(TokenClient.AllowedGrantTypes)] = Array(client.AllowedGrantTypes);
        json[nameof(TokenClient.AllowedScopes)] = Array(client.AllowedScopes);
        if (client.RedirectUris.Count > 0)
        {
            json[nameof(TokenClient.RedirectUris)] = Array(client.RedirectUris);
        }

        return json;

        static JsonArray Array(IEnumerable<string> values) => [.. values.Select(v => JsonValue.Create(v))];
    }
}
