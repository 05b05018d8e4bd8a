using System.CommandLine;
using System.Net;
using System.Text.Json;

namespace TokenAuth.Tool;

/// <summary><c>token introspect</c> (RFC 7662) and <c>token revoke</c> (RFC 7009) against a running app.</summary>
internal static class TokenEndpointCommands
{
    private const string TokenHelp = "The token, or '-' to read it from stdin: a token on the command line stays in your shell's history.";

    public static Command Introspect(ToolEnvironment environment)
    {
        var token = new Argument<string>("token") { Description = TokenHelp };
        var url = ToolOptions.Url(required: true);
        var client = ToolOptions.Client("The client that asks: the token's own, or one with CanIntrospectAnyToken (a resource server).");
        var command = new Command("introspect", $$"""
            Asks the running app what it knows of a token (RFC 7662, POST /oauth/introspect) and prints its JSON answer on
            stdout; {"active":false} for a token that is unknown, expired, revoked or not the client's to see. The client's
            secret comes from ${{ToolInput.ClientSecretVariable}}, else from stdin (unless stdin carries the token).
            """)
        {
            token, url, client,
        };
        command.SetAction((parse, cancellationToken) => TokenAuthTool.GuardAsync(environment, async () =>
        {
            var (baseAddress, clientId, value, secret) = await ReadAsync(environment, parse, url, client, token, cancellationToken);
            var (status, body) = await OAuthHttp.PostAsync(environment, baseAddress, OAuthHttp.IntrospectPath, clientId, secret, [new("token", value)], cancellationToken);
            if (status != HttpStatusCode.OK || body is not { ValueKind: JsonValueKind.Object } json || !json.TryGetProperty("active", out _))
            {
                throw OAuthHttp.Refused(baseAddress, OAuthHttp.IntrospectPath, status, body);
            }

            await environment.Out.WriteLineAsync(JsonSerializer.Serialize(json, IndentedJson));
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Revoke(ToolEnvironment environment)
    {
        var token = new Argument<string>("token") { Description = TokenHelp };
        var url = ToolOptions.Url(required: true);
        var client = ToolOptions.Client("The client that revokes: the token's own, or one with CanIntrospectAnyToken.");
        var command = new Command("revoke", $"""
            Revokes a token at the running app (RFC 7009, POST /oauth/revoke): an access token is refused at once, a
            refresh token takes its family with it. An unknown token is a success too (RFC 7009 §2.2). The client's
            secret comes from ${ToolInput.ClientSecretVariable}, else from stdin (unless stdin carries the token).
            """)
        {
            token, url, client,
        };
        command.SetAction((parse, cancellationToken) => TokenAuthTool.GuardAsync(environment, async () =>
        {
            var (baseAddress, clientId, value, secret) = await ReadAsync(environment, parse, url, client, token, cancellationToken);
            var (status, body) = await OAuthHttp.PostAsync(environment, baseAddress, OAuthHttp.RevokePath, clientId, secret, [new("token", value)], cancellationToken);
            if (status != HttpStatusCode.OK)
            {
                throw OAuthHttp.Refused(baseAddress, OAuthHttp.RevokePath, status, body);
            }

            await environment.Error.WriteLineAsync("Revoked (or already unknown to the app).");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    private static async Task<(Uri BaseAddress, string ClientId, string Token, string Secret)> ReadAsync(
        ToolEnvironment environment, ParseResult parse, Option<string?> url, Option<string> client, Argument<string> token, CancellationToken cancellationToken)
    {
        var baseAddress = ToolOptions.BaseAddress(parse.GetValue(url)!);
        var argument = parse.GetValue(token)!;
        var value = await ToolInput.ReadTokenAsync(environment, argument, cancellationToken);
        var secret = await ToolInput.ReadClientSecretAsync(environment, stdinTaken: argument == ToolInput.StandardInput, cancellationToken);
        return (baseAddress, parse.GetValue(client)!, value, secret);
    }
}
