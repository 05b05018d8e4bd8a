namespace TokenAuth.Tool;

/// <summary>A failure the tool reports as one line on stderr, with its exit code (<see cref="ExitCodes"/>).</summary>
internal sealed class ToolException : Exception
{
    public ToolException()
    {
    }

    public ToolException(string message)
        : base(message)
    {
    }

    public ToolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ToolException(int exitCode, string message, Exception? innerException = null)
        : base(message, innerException) => ExitCode = exitCode;

    /// <summary>The process's exit code.</summary>
    public int ExitCode { get; } = ExitCodes.Usage;

    /// <summary>A usage error (exit code 1).</summary>
    public static ToolException Usage(string message, Exception? inner = null) => new(ExitCodes.Usage, message, inner);

    /// <summary>A server or store error (exit code 2).</summary>
    public static ToolException Backend(string message, Exception? inner = null) => new(ExitCodes.Backend, message, inner);
}
