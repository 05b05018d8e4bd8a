using System.CommandLine;
using TokenAuth.Server;

namespace TokenAuth.Tool;

/// <summary><c>secret hash</c>: the stored form of a secret read from standard input.</summary>
internal static class SecretHashCommand
{
    public static Command Create(ToolEnvironment environment)
    {
        var generated = new Option<bool>("--generated")
        {
            Description = $"The secret was generated (256 random bits, like `client add`'s, ≥ {ClientSecretHasher.MinimumGeneratedSecretLength} characters): hash it with SHA-256. Without it: PBKDF2, for a secret a person chose.",
        };
        var command = new Command("hash", """
            Reads a secret from stdin (the first line; never from the command line, which shell history keeps) and
            prints the hash to put in a client's ClientSecretHashes: PBKDF2-SHA256 by default, SHA-256 with --generated.
            Example: printf '%s' "$SECRET" | dotnet tokenauth secret hash
            """)
        {
            generated,
        };
        command.SetAction((parse, cancellationToken) => TokenAuthTool.GuardAsync(environment, async () =>
        {
            var secret = await ToolInput.ReadLineAsync(environment, "secret", cancellationToken);
            string hash;
            try
            {
                hash = parse.GetValue(generated) ? ClientSecretHasher.HashGenerated(secret) : ClientSecretHasher.Hash(secret);
            }
            catch (ArgumentException e)
            {
                // Only the length is wrong: the message names no part of the secret.
                throw ToolException.Usage(e.Message, e);
            }

            await environment.Out.WriteLineAsync(hash);
            return ExitCodes.Success;
        }));
        return new Command("secret", "Client secrets.") { command };
    }
}
