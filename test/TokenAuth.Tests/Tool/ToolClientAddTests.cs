using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenAuth.Server;

namespace TokenAuth.Tests.Tool;

/// <summary>
/// <c>dotnet tokenauth client add</c>, end to end: the tool writes into a copy of the sample's configuration, the
/// sample starts from it, and the new client authenticates with the secret the tool printed.
/// </summary>
public sealed class ToolClientAddTests : IDisposable
{
    private readonly ToolProject _project = ToolProject.CopyOfSample();

    [Fact]
    public async Task ClientAdd_ToUserSecrets_SampleGivesTheClientATokenForItsPrintedSecret()
    {
        var added = await _project.RunAsync("client", "add", "ci-client", "--scopes", "read write");

        Assert.True(added.ExitCode == 0, added.ToString());
        var secret = added.Line;
        Assert.Equal(ClientSecretHasher.MinimumGeneratedSecretLength, secret.Length);
        var stored = await File.ReadAllTextAsync(_project.UserSecretsFile);
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, added.Error, StringComparison.Ordinal);
        var hash = JsonNode.Parse(stored)!["TokenServer:Clients:ci-client"]!["ClientSecretHashes"]![0]!.GetValue<string>();
        Assert.StartsWith("SHA256$", hash, StringComparison.Ordinal);
        Assert.True(ClientSecretHasher.Verify(secret, hash));

        await using var sample = new ToolSample(_project);
        var (status, token) = await sample.TokenAsync("ci-client", secret);

        Assert.Equal(200, status);
        Assert.Equal("read write", token.GetProperty("scope").GetString());
        var (meStatus, me) = await sample.GetAsync("/api/me", token.GetProperty("access_token").GetString()!);
        Assert.Equal(200, meStatus);
        Assert.Equal("ci-client", me!.Value.GetProperty("clientId").GetString());
        Assert.Equal(401, (await sample.TokenAsync("ci-client", secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A'))).Status);
    }

    /// <summary>
    /// Why the tool does not write <c>TokenServer:Clients:0</c>: configuration merges arrays by index, so a client at
    /// index 0 of user secrets is not added to appsettings.json's clients — it is merged into the first one, demo-client,
    /// field by field. The new id and hash replace demo-client's, and everything the new client did not set is
    /// demo-client's: its plaintext secret, its grants, its redirect URI, its right to act for users.
    /// </summary>
    [Fact]
    public async Task ClientAtIndexZeroOfUserSecrets_MergesIntoDemoClient_TheHazardTheToolAvoids()
    {
        var secret = ClientSecretHasher.GenerateSecret();
        await WriteUserSecretsAsync($$"""
            {
              "TokenServer:Clients:0:ClientId": "ci-client",
              "TokenServer:Clients:0:ClientSecretHashes:0": "{{ClientSecretHasher.HashGenerated(secret)}}",
              "TokenServer:Clients:0:AllowedScopes:0": "read"
            }
            """);

        await using var sample = new ToolSample(_project);
        var clients = Clients(sample);

        Assert.DoesNotContain(clients, c => c.ClientId == "demo-client");
        var merged = Assert.Single(clients, c => c.ClientId == "ci-client");
        Assert.Equal("demo-secret", merged.ClientSecret);
        Assert.True(merged.CanActForUsers);
        Assert.Equal(["read", "write"], merged.AllowedScopes);
        // And so, through the token endpoint: demo-client's secret opens the new client, which may act for users.
        Assert.Equal(200, (await sample.TokenAsync("ci-client", "demo-secret", ("user_id", "1001"))).Status);
        Assert.Equal(401, (await sample.TokenAsync("demo-client", "demo-secret")).Status);
    }

    [Fact]
    public async Task ClientAdd_ToUserSecrets_MergesWithNoClientOfAppSettings()
    {
        var added = await _project.RunAsync("client", "add", "ci-client", "--scopes", "read");
        Assert.True(added.ExitCode == 0, added.ToString());

        await using var sample = new ToolSample(_project);
        var clients = Clients(sample);

        // appsettings.json's five clients are intact, and the new one is exactly what the tool wrote.
        Assert.Equal(["demo-client", "admin-client", "service-client", "demo-spa", "resource-server", "ci-client"], clients.Select(c => c.ClientId));
        var demo = clients.Single(c => c.ClientId == "demo-client");
        Assert.Equal("demo-secret", demo.ClientSecret);
        Assert.Empty(demo.ClientSecretHashes);
        var added2 = clients.Single(c => c.ClientId == "ci-client");
        Assert.Null(added2.ClientSecret);
        Assert.False(added2.CanActForUsers);
        Assert.Empty(added2.RedirectUris);
        Assert.Equal(["client_credentials"], added2.AllowedGrantTypes);
        Assert.Equal(["read"], added2.AllowedScopes);
        Assert.True(ClientSecretHasher.Verify(added.Line, Assert.Single(added2.ClientSecretHashes)));
        Assert.Equal(401, (await sample.TokenAsync("ci-client", "demo-secret")).Status);
        Assert.Equal(400, (await sample.TokenAsync("ci-client", added.Line, ("user_id", "1001"))).Status);
        Assert.Equal(200, (await sample.TokenAsync("demo-client", "demo-secret", ("user_id", "1001"))).Status);
    }

    /// <summary>
    /// Written under its id, the client stays clear of the arrays however they grow: here appsettings.Development.json,
    /// added after the tool ran, configures seven clients at indices 0–6, past every index appsettings.json uses.
    /// </summary>
    [Fact]
    public async Task ClientAdd_AppSettingsArraysGrowAfterwards_TheClientStillMergesWithNone()
    {
        var added = await _project.RunAsync("client", "add", "ci-client", "--scopes", "read");
        Assert.True(added.ExitCode == 0, added.ToString());
        var more = Enumerable.Range(0, 7).Select(i => new JsonObject
        {
            ["ClientId"] = $"dev-{i}",
            ["ClientSecretHashes"] = new JsonArray(ClientSecretHasher.HashGenerated(ClientSecretHasher.GenerateSecret())),
            ["AllowedScopes"] = new JsonArray("write"),
            // These two files' arrays do merge by index (dev-3 over demo-spa would be public otherwise): that is
            // between the files a person wrote; the tool's client is what this test is about.
            ["IsPublic"] = false,
        });
        await File.WriteAllTextAsync(Path.Combine(_project.Directory, "appsettings.Development.json"),
            new JsonObject { ["TokenServer"] = new JsonObject { ["Clients"] = new JsonArray([.. more]) } }.ToJsonString());

        await using var sample = new ToolSample(_project);
        var clients = Clients(sample);

        Assert.Equal(8, clients.Count);   // dev-0…dev-6 over demo-client…resource-server by index, and ci-client
        var ci = Assert.Single(clients, c => c.ClientId == "ci-client");
        Assert.Equal(["read"], ci.AllowedScopes);
        Assert.Equal(200, (await sample.TokenAsync("ci-client", added.Line)).Status);
    }

    [Fact]
    public async Task ClientAdd_IdThatAppSettingsHas_IsRefusedWithExit1AndNoSecret()
    {
        var result = await _project.RunAsync("client", "add", "demo-client", "--scopes", "read");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.Contains("'demo-client' already exists", result.Error, StringComparison.Ordinal);
        Assert.Contains("appsettings.json (TokenServer:Clients:0)", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_project.UserSecretsFile));
    }

    [Fact]
    public async Task ClientAdd_Twice_SecondIsRefusedAndTheFirstSecretStillWorks()
    {
        var first = await _project.RunAsync("client", "add", "ci-client");
        var before = await File.ReadAllTextAsync(_project.UserSecretsFile);

        var second = await _project.RunAsync("client", "add", "ci-client");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(1, second.ExitCode);
        Assert.Empty(second.Out);
        Assert.Equal(before, await File.ReadAllTextAsync(_project.UserSecretsFile));
        await using var sample = new ToolSample(_project);
        Assert.Equal(200, (await sample.TokenAsync("ci-client", first.Line)).Status);
    }

    [Fact]
    public async Task ClientAdd_ToCommentedAppSettings_KeepsEveryCommentAndTheSampleLoadsIt()
    {
        var original = await File.ReadAllTextAsync(_project.AppSettings);

        var added = await _project.RunAsync("client", "add", "spa-backend", "--scopes", "read write", "--grant", "client_credentials", "--grant", "refresh_token",
            "--display-name", "SPA backend", "--appsettings", "appsettings.json");

        Assert.True(added.ExitCode == 0, added.ToString());
        var written = await File.ReadAllTextAsync(_project.AppSettings);
        // Everything before the new property is the file as it was, comments included.
        var end = original.TrimEnd().LastIndexOf('}');
        Assert.StartsWith(original[..original.TrimEnd()[..end].TrimEnd().Length], written, StringComparison.Ordinal);
        Assert.Contains("// A resource server of another authorization server", written, StringComparison.Ordinal);
        await using var sample = new ToolSample(_project);
        var (status, token) = await sample.TokenAsync("spa-backend", added.Line);
        Assert.Equal(200, status);
        Assert.True(token.TryGetProperty("refresh_token", out _));
        Assert.Equal("SPA backend", Clients(sample).Single(c => c.ClientId == "spa-backend").DisplayName);
    }

    [Fact]
    public async Task ClientAdd_CodeGrantWithRedirectUri_AndAnIdOfDigits_AreWrittenAsTheServerBindsThem()
    {
        var code = await _project.RunAsync("client", "add", "web-app", "--grant", "authorization_code", "--redirect-uri", "http://127.0.0.1:8080/cb", "--scopes", "read");
        var digits = await _project.RunAsync("client", "add", "10042", "--scopes", "read");

        Assert.True(code.ExitCode == 0, code.ToString());
        Assert.True(digits.ExitCode == 0, digits.ToString());
        // An id of digits alone would be an array index: it is keyed client-<id>.
        Assert.Contains("TokenServer:Clients:client-10042", digits.Error, StringComparison.Ordinal);
        await using var sample = new ToolSample(_project);
        var clients = Clients(sample);
        Assert.Equal(["http://127.0.0.1:8080/cb"], clients.Single(c => c.ClientId == "web-app").RedirectUris);
        Assert.Equal(200, (await sample.TokenAsync("10042", digits.Line)).Status);
        Assert.Equal(7, clients.Count);
    }

    [Theory]
    [InlineData("has:colon", "--scopes", "read")]
    [InlineData("ci-client", "--grant", "magic")]
    [InlineData("ci-client", "--grant", "authorization_code")]
    [InlineData("ci-client", "--redirect-uri", "/relative", "--grant", "authorization_code")]
    [InlineData("ci-client", "--scopes", "read \"write\"")]
    [InlineData("ci-client", "--unknown-option", "x")]
    public async Task ClientAdd_BadArguments_Exit1WithAMessageAndNothingWritten(string id, params string[] options)
    {
        var result = await _project.RunAsync(["client", "add", id, .. options]);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_project.UserSecretsFile));
    }

    [Fact]
    public async Task ClientAdd_EmptySecretsFile_IsTreatedAsNoSecretsYet()
    {
        await WriteUserSecretsAsync("\n");

        var added = await _project.RunAsync("client", "add", "ci-client");

        Assert.True(added.ExitCode == 0, added.ToString());
        await using var sample = new ToolSample(_project);
        Assert.Equal(200, (await sample.TokenAsync("ci-client", added.Line)).Status);
    }

    [Fact]
    public async Task ClientAdd_ProjectWithoutUserSecretsId_SaysHowToGetOne()
    {
        var csproj = Path.Combine(_project.Directory, "TokenAuth.Sample.csproj");
        await File.WriteAllTextAsync(csproj, """<Project Sdk="Microsoft.NET.Sdk.Web"></Project>""");

        var result = await _project.RunAsync("client", "add", "ci-client");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("dotnet user-secrets init", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _project.Dispose();

    private static List<TokenClient> Clients(ToolSample sample) => [.. sample.Services.GetRequiredService<IOptions<TokenServerOptions>>().Value.Clients];

    private async Task WriteUserSecretsAsync(string json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_project.UserSecretsFile)!);
        await File.WriteAllTextAsync(_project.UserSecretsFile, json);
    }
}
