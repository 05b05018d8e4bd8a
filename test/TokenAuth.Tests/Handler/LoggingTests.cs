using System.Net;
using Microsoft.Extensions.Logging;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Handler;

public class LoggingTests
{
    [Fact]
    public async Task NoLogLine_AtAnyLevel_ContainsATokenUsed()
    {
        await using var app = await TestApp.StartAsync();
        var good = await app.IssueAsync();
        var expiring = await app.IssueAsync(new TokenInfo { Subject = "u", ExpiresAt = TestApp.Start.AddMinutes(1) });
        var unknown = "unknown-token-" + Guid.NewGuid().ToString("N");
        var conflicting = "conflicting-token-" + Guid.NewGuid().ToString("N");
        var overlong = "overlong" + new string('z', 9000);
        var requests = new List<HttpRequestMessage>
        {
            TestApp.Get("/protected", good),
            new(HttpMethod.Get, "/protected?access_token=" + good),
            new(HttpMethod.Post, "/protected") { Content = new FormUrlEncodedContent([new("access_token", good)]) },
            new(HttpMethod.Get, "/protected") { Headers = { { "Access-Token", good } } },
            TestApp.Get("/protected", unknown),
            TestApp.Get("/protected?access_token=" + conflicting, good),
            TestApp.Get("/protected", overlong),
            TestApp.Get("/scoped", good),
        };
        foreach (var request in requests)
        {
            await app.Client.SendAsync(request);
        }

        app.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(TestApp.Get("/protected", expiring))).StatusCode);

        // The host's own request-line log holds the URL, query token included; TokenAuth warns about it at
        // start-up (next test). Every other line, TokenAuth's above all, must be clean.
        var logs = app.Logs.TextOutsideHostingRequestLines;
        Assert.Contains(app.Logs.Entries, e => e.Level == LogLevel.Debug);
        Assert.Contains(TokenHash.Compute(unknown).Prefix, logs, StringComparison.Ordinal);
        foreach (var token in new[] { good, expiring, unknown, conflicting, overlong[..40] })
        {
            Assert.DoesNotContain(token, logs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Startup_QuerySourceWithHostingLogsOn_WarnsOnce()
    {
        await using var app = await TestApp.StartAsync();

        var warning = Assert.Single(app.Logs.Entries, e => e.EventId.Name == "QueryTokensReachHostingLogs");
        Assert.Equal(LogLevel.Warning, warning.Level);
    }

    [Fact]
    public async Task Startup_QuerySourceOff_NoWarning()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.UseTokenStore = true;
            o.Sources.Query = false;
        });

        Assert.DoesNotContain(app.Logs.Entries, e => e.EventId.Name == "QueryTokensReachHostingLogs");
    }
}
