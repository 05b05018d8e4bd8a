namespace TokenAuth.Tests.Browser;

/// <summary>
/// The browser tests share one sample on Kestrel and one Chromium, and run one after another: two
/// <c>WebApplicationFactory&lt;Program&gt;</c> starting Kestrel at the same moment once failed in CI ("IServerAddressesFeature.Addresses
/// cannot be modified after the server has started"), and one browser is enough for both classes.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedBrowser : ICollectionFixture<CodeFlowBrowserTests.SampleInBrowser>
{
    public const string Name = "Browser";
}
