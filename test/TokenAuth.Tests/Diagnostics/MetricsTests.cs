using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Moq;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Diagnostics;

/// <summary>The <c>TokenAuth</c> meter, read with <see cref="MetricCollector{T}"/> from the app's own meter factory.</summary>
public sealed class MetricsTests
{
    private static MetricCollector<T> Collect<T>(TestApp app, string instrument)
        where T : struct
        => new(app.Services.GetRequiredService<IMeterFactory>(), TokenAuthMetrics.Name, instrument);

    private static Dictionary<string, long> ByTags(MetricCollector<long> collector, params string[] tags)
        => collector.GetMeasurementSnapshot()
            .GroupBy(m => string.Join("/", tags.Select(t => m.Tags[t]?.ToString())))
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));

    [Fact]
    public async Task Authentications_CountedByResultAndSource_WithTheirDuration()
    {
        await using var app = await TestApp.StartAsync();
        using var count = Collect<long>(app, "tokenauth.authentication.count");
        using var duration = Collect<double>(app, "tokenauth.authentication.duration");
        var token = await app.IssueAsync();

        await app.Client.SendAsync(TestApp.Get("/protected", token));
        await app.Client.GetAsync("/protected?access_token=" + token);
        await app.Client.SendAsync(TestApp.Get("/protected", "unknown-token"));
        await app.Client.GetAsync("/protected");
        using var twoTokens = TestApp.Get("/protected?access_token=other", token);
        await app.Client.SendAsync(twoTokens);

        Assert.Equal(
            new Dictionary<string, long>
            {
                ["success/authorization_header"] = 1,
                ["success/query"] = 1,
                ["invalid_token/authorization_header"] = 1,
                ["none/none"] = 1,
                ["invalid_request/none"] = 1,
            },
            ByTags(count, "tokenauth.result", "tokenauth.token.source"));
        Assert.Equal(5, duration.GetMeasurementSnapshot().Count);
        Assert.All(duration.GetMeasurementSnapshot(), m => Assert.InRange(m.Value, 0, 5));
    }

    [Fact]
    public async Task Authentications_StoreDown_CountedUnavailable()
    {
        var store = new Mock<ITokenStore>();
        store.Setup(s => s.FindAsync(It.IsAny<TokenHash>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException());
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton(store.Object));
        using var count = Collect<long>(app, "tokenauth.authentication.count");

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", "any"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(new Dictionary<string, long> { ["unavailable"] = 1 }, ByTags(count, "tokenauth.result"));
    }

    [Fact]
    public async Task Revocations_CountedByScope()
    {
        await using var app = await TestApp.StartAsync();
        using var count = Collect<long>(app, "tokenauth.revocation.count");
        var revoker = app.Services.GetRequiredService<ITokenRevoker>();

        await revoker.RevokeAsync(await app.IssueAsync());
        await revoker.ForgetTenantAsync("t-100");
        await revoker.ForgetUserAsync(null);

        Assert.Equal(new Dictionary<string, long> { ["token"] = 1, ["tenant"] = 1, ["user"] = 1 }, ByTags(count, "tokenauth.revocation.scope"));
    }
}
