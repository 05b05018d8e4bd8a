namespace TokenAuth.Tool;

/// <summary>The <c>tokenauth</c> executable: the console's streams handed to <see cref="TokenAuthTool"/>.</summary>
internal static class EntryPoint
{
    // Not top-level statements: their generated Program class would clash with the sample's Program in the tests,
    // which see this assembly's internals.
    private static Task<int> Main(string[] args) => TokenAuthTool.RunAsync(args, new ToolEnvironment
    {
        In = Console.In,
        Out = Console.Out,
        Error = Console.Error,
        InputIsTerminal = !Console.IsInputRedirected,
    });
}
