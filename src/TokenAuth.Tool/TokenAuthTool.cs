using System.CommandLine;
using System.CommandLine.Parsing;

namespace TokenAuth.Tool;

/// <summary>
/// <c>dotnet tokenauth</c>: what <c>dotnet user-jwts</c> is to JwtBearer, for TokenAuth.Server's clients — register a
/// client with a generated secret, hash a secret, create, introspect and revoke tokens for local development.
/// </summary>
/// <remarks>
/// Exit codes (<see cref="ExitCodes"/>): 0 done, 1 usage error, 2 the server or store refused or could not be reached.
/// Errors go to stderr, one line each. Secrets and tokens are read from stdin (or an environment variable), never from
/// the command line, and never written anywhere but stdout — the generated secret once, a token only by the command
/// that creates it.
/// </remarks>
internal static class TokenAuthTool
{
    /// <summary>Runs the tool on the given streams, as the executable does on the console's.</summary>
    public static Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
        => RunAsync(args, new ToolEnvironment { In = stdin, Out = stdout, Error = stderr }, cancellationToken);

    /// <summary>Runs the tool in <paramref name="environment"/>.</summary>
    public static async Task<int> RunAsync(string[] args, ToolEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var parse = CreateRootCommand(environment).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await environment.Error.WriteLineAsync("error: " + error.Message);
            }

            await environment.Error.WriteLineAsync($"Run 'dotnet tokenauth {CommandPath(parse.CommandResult)}--help' for usage.");
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration { Output = environment.Out, Error = environment.Error, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        finally
        {
            await environment.Out.FlushAsync(cancellationToken);
            await environment.Error.FlushAsync(cancellationToken);
        }
    }

    /// <summary>The command tree.</summary>
    public static RootCommand CreateRootCommand(ToolEnvironment environment)
    {
        var root = new RootCommand("TokenAuth's development tool: clients with generated secrets in user secrets, secret hashes, and tokens for local development. Exit codes: 0 done, 1 usage error, 2 server or store error.")
        {
            new Command("client", "Clients of the app's token server (TokenServer:Clients).") { ClientAddCommand.Create(environment) },
            SecretHashCommand.Create(environment),
            new Command("token", "Access tokens: create one for local development, introspect or revoke one at a running app.")
            {
                TokenCreateCommand.Create(environment),
                TokenEndpointCommands.Introspect(environment),
                TokenEndpointCommands.Revoke(environment),
            },
        };
        return root;
    }

    /// <summary>
    /// Runs a command's work: a <see cref="ToolException"/> becomes its message on stderr and its exit code; anything
    /// else unexpected is a server or store failure (exit code 2), reported by its message, never its stack.
    /// </summary>
    internal static async Task<int> GuardAsync(ToolEnvironment environment, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (ToolException e)
        {
            await environment.Error.WriteLineAsync("error: " + e.Message);
            return e.ExitCode;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await environment.Error.WriteLineAsync($"error: {e.GetType().Name}: {e.Message}");
            return ExitCodes.Backend;
        }
    }

    private static string CommandPath(CommandResult? result)
    {
        var names = new List<string>();
        for (var current = result; current?.Parent is CommandResult parent; current = parent)
        {
            names.Insert(0, current.Command.Name);
        }

        return names.Count == 0 ? string.Empty : string.Join(' ', names) + " ";
    }
}
