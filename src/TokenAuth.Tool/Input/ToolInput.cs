using System.Text;

namespace TokenAuth.Tool;

/// <summary>
/// Reads secrets and tokens from standard input (or an environment variable), never from the command line, where they
/// would stay in the shell's history and be visible to every user of the machine in the process list.
/// </summary>
internal static class ToolInput
{
    /// <summary>The environment variable a client secret may come in instead of standard input.</summary>
    public const string ClientSecretVariable = "TOKENAUTH_CLIENT_SECRET";

    /// <summary>The argument that means "read the token from standard input".</summary>
    public const string StandardInput = "-";

    /// <summary>
    /// The first line of standard input without its line break, prompted for without echo at a terminal.
    /// </summary>
    /// <param name="environment">The streams.</param>
    /// <param name="what">What is read, for the prompt and the error ("client secret", "token").</param>
    /// <param name="cancellationToken">Stops waiting for input.</param>
    /// <exception cref="ToolException">Standard input is empty or the line is.</exception>
    public static async Task<string> ReadLineAsync(ToolEnvironment environment, string what, CancellationToken cancellationToken)
    {
        string? line;
        if (environment.InputIsTerminal)
        {
            await environment.Error.WriteAsync(char.ToUpperInvariant(what[0]) + what[1..] + ": ");
            await environment.Error.FlushAsync(cancellationToken);
            line = ReadWithoutEcho();
            await environment.Error.WriteLineAsync();
        }
        else
        {
            line = await environment.In.ReadLineAsync(cancellationToken);
        }

        // Surrounding blanks are never part of a generated secret or a token; they are what echo and editors add.
        line = line?.Trim();
        return string.IsNullOrEmpty(line)
            ? throw ToolException.Usage($"No {what} on standard input: pipe it in (printf '%s' \"$VALUE\" | dotnet tokenauth …).")
            : line;
    }

    /// <summary>
    /// A client secret: <see cref="ClientSecretVariable"/> when set, else the first line of standard input — unless
    /// standard input already carries the token (<paramref name="stdinTaken"/>).
    /// </summary>
    public static async Task<string> ReadClientSecretAsync(ToolEnvironment environment, bool stdinTaken, CancellationToken cancellationToken)
    {
        if (environment.GetVariable(ClientSecretVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment.Trim();
        }

        if (stdinTaken)
        {
            throw ToolException.Usage($"The token is read from standard input ('-'), so give the client secret in the {ClientSecretVariable} environment variable.");
        }

        return await ReadLineAsync(environment, "client secret", cancellationToken);
    }

    /// <summary>The token argument, or the first line of standard input when it is <c>-</c>.</summary>
    public static async Task<string> ReadTokenAsync(ToolEnvironment environment, string argument, CancellationToken cancellationToken)
        => argument == StandardInput ? await ReadLineAsync(environment, "token", cancellationToken) : argument.Trim();

    private static string ReadWithoutEcho()
    {
        var line = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    return line.ToString();
                case ConsoleKey.Backspace when line.Length > 0:
                    line.Length--;
                    break;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        line.Append(key.KeyChar);
                    }

                    break;
            }
        }
    }
}
