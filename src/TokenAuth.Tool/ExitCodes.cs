namespace TokenAuth.Tool;

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>
    /// The command cannot be carried out as given: bad arguments, a project or file that is missing or unreadable, a
    /// duplicate client, a client or scope the configuration does not have.
    /// </summary>
    public const int Usage = 1;

    /// <summary>The server or the store refused or could not be reached.</summary>
    public const int Backend = 2;
}
