using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Tool;

/// <summary>
/// <c>dotnet tokenauth token create|introspect|revoke</c> against the real sample on Kestrel, and <c>token create
/// --redis</c> against a real redis-server the sample reads.
/// </summary>
public sealed class ToolTokenTests : IAsyncLifetime
{
    private readonly ToolProject _project = ToolProject.CopyOfSample();
    private ToolSample _sample = null!;
    private string _ciSecret = null!;

    public async Task InitializeAsync()
    {
        var added = await _project.RunAsync("client", "add", "ci-client", "--scopes", "read write");
        Assert.True(added.ExitCode == 0, added.ToString());
        _ciSecret = added.Line;
        _sample = new ToolSample(_project);
    }

    [Fact]
    public async Task TokenCreate_Url_SecretFromStdin_TheSampleAcceptsTheToken()
    {
        var result = await _project.PipeAsync(_ciSecret + "\n", null, "token", "create", "--client", "ci-client", "--scope", "read", "--url", _sample.Address.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        var me = await MeAsync(result.Line);
        Assert.Equal("ci-client", me.GetProperty("clientId").GetString());
        Assert.Equal(["read"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.DoesNotContain(result.Line, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_ciSecret, result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenCreate_Url_SudoScopeWithSecretFromTheEnvironment_TheTokenActsAsAUser()
    {
        var result = await _project.PipeAsync(string.Empty, Secret("admin-secret"), "token", "create", "--client", "admin-client", "--scope", "read", "--sudo-scope", "--url", _sample.Address.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        var me = await MeAsync(result.Line, "/api/me?sudo=uid:1002");
        Assert.Equal("1002", me.GetProperty("subject").GetString());
        Assert.Equal("admin-client", me.GetProperty("actor").GetString());
        Assert.Equal(["read", "sudo"], me.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task TokenCreate_Url_SudoScopeForAClientWithoutIt_Exit2AndNoToken()
    {
        var all = await _project.PipeAsync(_ciSecret, null, "token", "create", "--client", "ci-client", "--sudo-scope", "--url", _sample.Address.ToString());
        var named = await _project.PipeAsync(_ciSecret, null, "token", "create", "--client", "ci-client", "--scope", "read", "--sudo-scope", "--url", _sample.Address.ToString());

        Assert.Equal(2, all.ExitCode);
        Assert.Empty(all.Out);
        Assert.Contains("not allowed the 'sudo' scope", all.Error, StringComparison.Ordinal);
        Assert.Equal(2, named.ExitCode);
        Assert.Contains("invalid_scope", named.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenCreate_Url_UserForAClientThatActsForUsers_IsThatUsersToken()
    {
        var result = await _project.PipeAsync("demo-secret", null, "token", "create", "--client", "demo-client", "--user", "1001", "--url", _sample.Address.ToString());

        Assert.True(result.ExitCode == 0, result.ToString());
        var me = await MeAsync(result.Line);
        Assert.Equal("1001", me.GetProperty("subject").GetString());
        Assert.Equal("Alice", me.GetProperty("name").GetString());
    }

    [Fact]
    public async Task TokenCreate_Url_WrongSecret_Exit2WithTheServersErrorAndNoSecretPrinted()
    {
        var result = await _project.PipeAsync("not-the-secret", null, "token", "create", "--client", "ci-client", "--url", _sample.Address.ToString());

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.Contains("401", result.Error, StringComparison.Ordinal);
        Assert.Contains("invalid_client", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenCreate_Url_NothingListens_Exit2()
    {
        var result = await _project.PipeAsync(_ciSecret, null, "token", "create", "--client", "ci-client", "--url", $"http://127.0.0.1:{ClosedPort()}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Could not reach", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("token", "create", "--client", "ci-client")]
    [InlineData("token", "create", "--client", "ci-client", "--url", "http://127.0.0.1:1", "--redis", "127.0.0.1:1")]
    [InlineData("token", "create", "--client", "ci-client", "--url", "ftp://example")]
    [InlineData("token", "create", "--url", "http://127.0.0.1:1")]
    [InlineData("token", "introspect", "--url", "http://127.0.0.1:1", "--client", "x")]
    [InlineData("token")]
    public async Task Token_UsageErrors_Exit1(params string[] args)
    {
        var result = await _project.PipeAsync(_ciSecret, null, args);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IntrospectAndRevoke_TokensFromStdin_RevokedTokenIsInactiveAndRefused()
    {
        var token = await DemoTokenAsync();

        var introspected = await _project.PipeAsync(token + "\n", Secret("resource-secret"), "token", "introspect", "-", "--url", _sample.Address.ToString(), "--client", "resource-server");
        var revoked = await _project.PipeAsync(token + "\n", Secret("demo-secret"), "token", "revoke", "-", "--url", _sample.Address.ToString(), "--client", "demo-client");
        var after = await _project.PipeAsync(token + "\n", Secret("resource-secret"), "token", "introspect", "-", "--url", _sample.Address.ToString(), "--client", "resource-server");

        Assert.True(introspected.ExitCode == 0, introspected.ToString());
        using (var json = JsonDocument.Parse(introspected.Out))
        {
            Assert.True(json.RootElement.GetProperty("active").GetBoolean());
            Assert.Equal("demo-client", json.RootElement.GetProperty("client_id").GetString());
        }

        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        Assert.Equal("""{"active":false}""", JsonSerializer.Serialize(JsonDocument.Parse(after.Out).RootElement));
        Assert.Equal(401, (await _sample.GetAsync("/api/me", token)).Status);
        foreach (var run in new[] { introspected, revoked, after })
        {
            Assert.DoesNotContain(token, run.Out + run.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Introspect_TokenArgumentAndSecretOnStdin_AnswersTheTokensClaims()
    {
        var token = await DemoTokenAsync();

        var result = await _project.PipeAsync("resource-secret\n", null, "token", "introspect", token, "--url", _sample.Address.ToString(), "--client", "resource-server");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("read write", JsonDocument.Parse(result.Out).RootElement.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task IntrospectOrRevoke_TokenFromStdinButNoSecretInTheEnvironment_Exit1()
    {
        var introspect = await _project.PipeAsync("some-token\nresource-secret\n", null, "token", "introspect", "-", "--url", _sample.Address.ToString(), "--client", "resource-server");
        var revoke = await _project.PipeAsync("some-token\n", null, "token", "revoke", "-", "--url", _sample.Address.ToString(), "--client", "demo-client");

        Assert.Equal(1, introspect.ExitCode);
        Assert.Contains("TOKENAUTH_CLIENT_SECRET", introspect.Error, StringComparison.Ordinal);
        Assert.Equal(1, revoke.ExitCode);
    }

    [Fact]
    public async Task Revoke_AnotherClientsToken_Exit2WithTheServersError()
    {
        var token = await DemoTokenAsync();

        var result = await _project.PipeAsync(_ciSecret, null, "token", "revoke", token, "--url", _sample.Address.ToString(), "--client", "ci-client");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unauthorized_client", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(token, result.Error, StringComparison.Ordinal);
        Assert.Equal(200, (await _sample.GetAsync("/api/me", token)).Status);
    }

    [Fact]
    public async Task Help_SaysTokensCanComeFromStdin()
    {
        foreach (var command in new[] { "introspect", "revoke" })
        {
            var help = await _project.RunAsync("token", command, "--help");

            Assert.Equal(0, help.ExitCode);
            Assert.Contains("'-' to read it from stdin", help.Out, StringComparison.Ordinal);
        }
    }

    [RedisFact]
    public async Task TokenCreate_Redis_ClientFromUserSecrets_TheSampleOnThatRedisAcceptsIt()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var sample = new ToolSample(_project, redis.ConnectionString);

        var result = await _project.PipeAsync(string.Empty, null, "token", "create", "--client", "ci-client", "--scope", "write", "--redis", redis.ConnectionString);

        Assert.True(result.ExitCode == 0, result.ToString());
        var (status, me) = await sample.GetAsync("/api/me", result.Line);
        Assert.Equal(200, status);
        Assert.Equal("ci-client", me!.Value.GetProperty("subject").GetString());
        Assert.Equal(["write"], me.Value.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [RedisFact]
    public async Task TokenCreate_Redis_SudoScopeAndUser_TheSampleSeesTheUserAndSudoWorks()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var sample = new ToolSample(_project, redis.ConnectionString);

        var sudo = await _project.PipeAsync(string.Empty, null, "token", "create", "--client", "admin-client", "--sudo-scope", "--redis", redis.ConnectionString);
        var user = await _project.PipeAsync(string.Empty, null, "token", "create", "--client", "demo-client", "--user", "1002", "--redis", redis.ConnectionString);

        Assert.True(sudo.ExitCode == 0, sudo.ToString());
        var (status, asBob) = await sample.GetAsync("/api/me?sudo=loginName:bob", sudo.Line);
        Assert.Equal(200, status);
        Assert.Equal("1002", asBob!.Value.GetProperty("subject").GetString());
        Assert.Equal(["read", "write", "sudo"], asBob.Value.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.True(user.ExitCode == 0, user.ToString());
        Assert.Equal("1002", (await sample.GetAsync("/api/me", user.Line)).Body!.Value.GetProperty("subject").GetString());
    }

    [RedisFact]
    public async Task TokenCreate_Redis_UnknownClientOrScope_Exit1()
    {
        await using var redis = await RedisServer.StartAsync();

        var unknown = await _project.PipeAsync(string.Empty, null, "token", "create", "--client", "nobody", "--redis", redis.ConnectionString);
        var scope = await _project.PipeAsync(string.Empty, null, "token", "create", "--client", "ci-client", "--sudo-scope", "--redis", redis.ConnectionString);

        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no client 'nobody'", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(1, scope.ExitCode);
        Assert.Contains("sudo", scope.Error, StringComparison.Ordinal);
        Assert.Empty(unknown.Out + scope.Out);
    }

    [Fact]
    public async Task TokenCreate_Redis_InvalidClientConfiguration_Exit1NamingIt()
    {
        await File.WriteAllTextAsync(Path.Combine(_project.Directory, "appsettings.Development.json"),
            """{ "TokenServer": { "Clients": { "broken": { "ClientId": "broken", "IsPublic": true, "ClientSecret": "x" } } } }""");

        // Nothing listens on port 1: the configuration is checked before the store is ever asked.
        var result = await _project.RunAsync("token", "create", "--client", "ci-client", "--redis", "127.0.0.1:1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("client 'broken' is public and must have no secret", result.Error, StringComparison.Ordinal);
    }

    [RedisFact]
    public async Task TokenCreate_Redis_Down_Exit2WithinTheStoreDeadline()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.StopAsync();
        var watch = Stopwatch.StartNew();

        var result = await _project.PipeAsync(string.Empty, null, "token", "create", "--client", "ci-client", "--redis", redis.ConnectionString);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.Contains("Redis", result.Error, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
    }

    public async Task DisposeAsync()
    {
        await _sample.DisposeAsync();
        _project.Dispose();
    }

    private static Dictionary<string, string> Secret(string secret) => new() { ["TOKENAUTH_CLIENT_SECRET"] = secret };

    private async Task<string> DemoTokenAsync()
    {
        var (status, body) = await _sample.TokenAsync("demo-client", "demo-secret");
        Assert.Equal(200, status);
        return body.GetProperty("access_token").GetString()!;
    }

    private async Task<JsonElement> MeAsync(string token, string path = "/api/me")
    {
        var (status, body) = await _sample.GetAsync(path, token);
        Assert.Equal(200, status);
        return body!.Value;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
