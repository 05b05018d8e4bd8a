using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TokenAuth.Server;

namespace TokenAuth.Tool;

/// <summary>
/// <c>token create</c>: an access token for local development, asked of the running app (<c>--url</c>: the token
/// endpoint, with the client's secret) or issued straight into the app's Redis store (<c>--redis</c>: the server's own
/// <see cref="ITokenIssuer"/> over the clients of the project's configuration).
/// </summary>
internal static class TokenCreateCommand
{
    /// <summary>The scope <c>--sudo-scope</c> adds: TokenAuth's default <see cref="SudoOptions.Scope"/>.</summary>
    private static readonly string SudoScope = new SudoOptions().Scope;

    public static Command Create(ToolEnvironment environment)
    {
        var client = ToolOptions.Client("The client the token is issued to.");
        var scope = new Option<string?>("--scope") { Description = "The scopes, space-separated; default: all the client may have.", HelpName = "scopes" };
        var sudo = new Option<bool>("--sudo-scope") { Description = $"Add the '{SudoScope}' scope, so that the token may act as a user (?sudo=uid:1001); the client must be allowed it." };
        var user = new Option<string?>("--user") { Description = "The user the token is for (its subject). With --url the client must have CanActForUsers.", HelpName = "id" };
        var url = ToolOptions.Url(required: false);
        var redis = new Option<string?>("--redis") { Description = "Issue into this Redis (the app's AddTokenAuthRedisStore connection string) instead of asking a running app.", HelpName = "connection string" };
        var project = ToolOptions.Project();
        var environmentName = new Option<string>("--environment")
        {
            Description = "With --redis: the environment whose appsettings.{environment}.json (and, in Development, user secrets) configure the clients.",
            HelpName = "name",
            DefaultValueFactory = _ => "Development",
        };

        var command = new Command("create", $"""
            Creates an access token for local development and prints it on stdout. Two ways:
              --url <app>      asks the running app's token endpoint (client_credentials), authenticating as the client:
                               its secret is read from ${ToolInput.ClientSecretVariable} or stdin. The sound way: the app's
                               own clients, users, profiles, lifetimes and signing keys make the token.
              --redis <conn>   needs no secret and no running app: the server's ITokenIssuer, with the clients of the
                               project's configuration (TokenServer section), writes the token into the Redis store the
                               app reads (AddTokenAuthRedisStore, default key layout). Only opaque tokens; a --user token
                               carries the user's id alone. Anyone who can write to that Redis can mint tokens: never
                               point it at production.
            """)
        {
            client, scope, sudo, user, url, redis, project, environmentName,
        };
        command.SetAction((parse, cancellationToken) => TokenAuthTool.GuardAsync(environment, async () =>
        {
            var clientId = parse.GetValue(client)!;
            var scopes = ToolOptions.SplitScopes(parse.GetValue(scope));
            var userId = parse.GetValue(user);
            if (userId is { Length: 0 })
            {
                throw ToolException.Usage("--user needs an id.");
            }

            var (target, connection) = (parse.GetValue(url), parse.GetValue(redis));
            var tokens = (target, connection) switch
            {
                ({ } address, null) => await FromAppAsync(environment, ToolOptions.BaseAddress(address), clientId, scopes, parse.GetValue(sudo), userId, cancellationToken),
                (null, { Length: > 0 } redisConfiguration) => await FromRedisAsync(
                    environment, ProjectFiles.Find(parse.GetValue(project), environment), parse.GetValue(environmentName)!, redisConfiguration, clientId, scopes, parse.GetValue(sudo), userId, cancellationToken),
                _ => throw ToolException.Usage("Give exactly one of --url <app> or --redis <connection string>."),
            };

            await environment.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Access token for client '{clientId}'{(userId is null ? string.Empty : $", user '{userId}'")}, scopes '{string.Join(' ', tokens.Scopes)}', expires {tokens.ExpiresAt:u}:"));
            await environment.Out.WriteLineAsync(tokens.AccessToken);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static async Task<IssuedTokens> FromAppAsync(
        ToolEnvironment environment, Uri baseAddress, string clientId, IReadOnlyList<string> scopes, bool sudo, string? userId, CancellationToken cancellationToken)
    {
        var secret = await ToolInput.ReadClientSecretAsync(environment, stdinTaken: false, cancellationToken);
        var asked = sudo && scopes.Count > 0 ? [.. scopes, SudoScope] : scopes;
        var form = new List<KeyValuePair<string, string>> { new("grant_type", GrantTypes.ClientCredentials) };
        if (asked.Count > 0)
        {
            form.Add(new("scope", string.Join(' ', asked.Distinct(StringComparer.Ordinal))));
        }

        if (userId is not null)
        {
            form.Add(new("user_id", userId));
        }

        var (status, body) = await OAuthHttp.PostAsync(environment, baseAddress, OAuthHttp.TokenPath, clientId, secret, form, cancellationToken);
        if (status != HttpStatusCode.OK || body is not { ValueKind: JsonValueKind.Object } json
            || !json.TryGetProperty("access_token", out var accessToken) || accessToken.GetString() is not { Length: > 0 } token)
        {
            throw OAuthHttp.Refused(baseAddress, OAuthHttp.TokenPath, status, body);
        }

        var granted = json.TryGetProperty("scope", out var s) && s.GetString() is { } g ? g.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [.. asked];
        if (sudo && !granted.Contains(SudoScope, StringComparer.Ordinal))
        {
            // Asked for all its scopes and got no sudo: the token is not what was asked for, so it is withdrawn.
            await OAuthHttp.PostAsync(environment, baseAddress, OAuthHttp.RevokePath, clientId, secret, [new("token", token)], cancellationToken);
            throw ToolException.Backend($"The client '{clientId}' is not allowed the '{SudoScope}' scope at {baseAddress}.");
        }

        var expiresAt = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(json.TryGetProperty("expires_in", out var e) && e.TryGetInt64(out var seconds) ? seconds : 0);
        return new IssuedTokens(token, expiresAt, granted, RefreshToken: null);
    }

    private static async Task<IssuedTokens> FromRedisAsync(
        ToolEnvironment environment, ProjectFiles project, string environmentName, string redis, string clientId, IReadOnlyList<string> scopes, bool sudo, string? userId, CancellationToken cancellationToken)
    {
        var configuration = project.BuildConfiguration(environmentName, environment);
        var services = new ServiceCollection();
        // No logging provider: nothing the server's parts log while issuing goes anywhere.
        services.AddLogging();
        services.AddTokenAuthRedisStore(redis);
        // The same binding as the app's (the sample binds the "TokenServer" section), so the clients are the app's.
        services.AddTokenAuthServer(o => configuration.GetSection("TokenServer").Bind(o));
        await using var provider = services.BuildServiceProvider();
        try
        {
            // The server's start-up validation, as the app would run it: a bad client configuration stops here.
            _ = provider.GetRequiredService<IOptions<TokenServerOptions>>().Value;
        }
        catch (Exception e) when (e is InvalidOperationException or OptionsValidationException)
        {
            throw ToolException.Usage($"The project's TokenServer configuration is not valid: {e.Message}", e);
        }

        try
        {
            var store = provider.GetRequiredService<IClientStore>();
            var registered = await store.FindByIdAsync(clientId, cancellationToken)
                ?? throw ToolException.Usage($"The project's configuration ({project.Directory}, {environmentName}) has no client '{clientId}' under TokenServer:Clients.");
            IReadOnlyList<string>? asked = scopes.Count > 0 ? scopes : null;
            if (sudo)
            {
                asked = [.. (asked ?? [.. registered.AllowedScopes]).Append(SudoScope).Distinct(StringComparer.Ordinal)];
            }

            return await provider.GetRequiredService<ITokenIssuer>().IssueAsync(new TokenIssueRequest
            {
                ClientId = clientId,
                Scopes = asked,
                User = userId is null ? null : new TokenUser { Id = userId },
                // Only the access token is printed: a refresh token nobody holds is not made.
                WithRefreshToken = false,
            }, cancellationToken);
        }
        catch (ArgumentException e)
        {
            // An unknown scope, or one the client may not have: the server's own message.
            throw ToolException.Usage(e.Message, e);
        }
        catch (TokenStoreUnavailableException e)
        {
            throw ToolException.Backend($"The Redis store could not be written: {e.InnerException?.Message ?? e.Message}", e);
        }
    }
}
