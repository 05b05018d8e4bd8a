using Xunit.Abstractions;
using Xunit.Sdk;

namespace TokenAuth.Tests.Infrastructure;

/// <summary>Discovers <see cref="ContractFactAttribute"/> facts, skipping them in Redis-backed classes when redis-server is absent.</summary>
public sealed class ContractFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var testClass = testMethod.TestClass.Class.ToRuntimeType();
        if (typeof(IClassFixture<RedisFixture>).IsAssignableFrom(testClass) && new RedisFactAttribute().Skip is { } reason)
        {
            return [new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)];
        }

        return base.Discover(discoveryOptions, testMethod, factAttribute);
    }
}
