using Xunit.Sdk;

namespace TokenAuth.Tests.Infrastructure;

/// <summary>
/// A fact of a contract suite: declared once on an abstract base class, run by each derived class against its own
/// implementation. In a derived class that uses <see cref="RedisFixture"/> it is skipped (or, under
/// <c>TOKENAUTH_REQUIRE_REDIS=1</c>, run and failed) exactly as <see cref="RedisFactAttribute"/> is, which an
/// attribute on the base class cannot do by itself.
/// </summary>
[XunitTestCaseDiscoverer("TokenAuth.Tests.Infrastructure.ContractFactDiscoverer", "TokenAuth.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractFactAttribute : FactAttribute;
