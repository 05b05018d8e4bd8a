using Xunit.Abstractions;
using Xunit.Sdk;

namespace TokenAuth.Tests.Infrastructure;

/// <summary>
/// Writes a line to the test run's own output: an xunit diagnostic message, which <c>dotnet test</c> prints at normal
/// verbosity as <c>[xUnit.net …] TokenAuth.Tests: …</c> (xunit.runner.json turns them on). A test's Console and
/// ITestOutputHelper lines reach that output only when the test fails.
/// </summary>
public sealed class RunnerLog(IMessageSink sink)
{
    public void WriteLine(string line) => sink.OnMessage(new DiagnosticMessage(line));
}
