using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Introspection.ResourceServer;

namespace TokenAuth.Tests.Introspection;

/// <summary>
/// Every way an authorization server can fail — errors, timeouts, garbage, refused connections, an open circuit — is a
/// 503 with <c>Retry-After</c>: never a 401, never a 500, never cached (the next request, once the server is well, passes).
/// </summary>
public sealed class IntrospectionFaultTests
{
    public static TheoryData<string, int> Faults => new()
    {
        // name, introspection calls the one request makes (transient failures are retried twice)
        { "500", 3 },
        { "502 with HTML", 3 },
        { "not JSON", 1 },
        { "empty body", 1 },
        { "a JSON array", 1 },
        { "active missing", 1 },
        { "active as a string", 1 },
        { "exp not a number", 1 },
        { "scope not a string", 1 },
        { "RFC 9701 JWT answer", 1 },
        { "larger than 64 KiB", 1 },
        { "400 invalid_request", 1 },
    };

    private static Func<HttpContext, Task> Fault(string name) => name switch
    {
        "500" => IntrospectionAuthority.Answer(500, """{"error":"server_error"}"""),
        "502 with HTML" => IntrospectionAuthority.Answer(502, "<html>Bad gateway</html>", "text/html"),
        "not JSON" => IntrospectionAuthority.Answer(200, "active=true"),
        "empty body" => IntrospectionAuthority.Answer(200, string.Empty),
        "a JSON array" => IntrospectionAuthority.Answer(200, """[{"active":true}]"""),
        "active missing" => IntrospectionAuthority.Answer(200, """{"scope":"read","sub":"x"}"""),
        "active as a string" => IntrospectionAuthority.Answer(200, """{"active":"true","sub":"x"}"""),
        "exp not a number" => IntrospectionAuthority.Answer(200, """{"active":true,"exp":{"at":"later"}}"""),
        "scope not a string" => IntrospectionAuthority.Answer(200, """{"active":true,"scope":42}"""),
        "RFC 9701 JWT answer" => IntrospectionAuthority.Answer(200, "eyJhbGciOiJSUzI1NiJ9.eyJhY3RpdmUiOnRydWV9.c2ln", "application/token-introspection+jwt"),
        "larger than 64 KiB" => IntrospectionAuthority.Answer(200, $$"""{"active":true,"sub":"x","padding":"{{new string('x', 70 * 1024)}}"}"""),
        "400 invalid_request" => IntrospectionAuthority.Answer(400, """{"error":"invalid_request"}"""),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Fault_Is503WithRetryAfter_NotCached(string fault, int calls)
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority);
        var token = await authority.IssueAsync();
        authority.Fault = Fault(fault);

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After");
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.Equal(calls, authority.Calls);
        Assert.DoesNotContain(token, app.Logs.AllText, StringComparison.Ordinal);

        // Nothing was kept: the same token is asked about again, and passes now that the server is well.
        authority.Fault = null;
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        Assert.Equal(calls + 1, authority.Calls);
    }

    [Fact]
    public async Task ServiceUnavailableWithRetryAfter_PassesTheServersDelayOn()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority);
        var token = await authority.IssueAsync();
        authority.Fault = async context =>
        {
            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = "17";
            await context.Response.WriteAsync("busy");
        };

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(17), response.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task SlowServer_AttemptsTimeOut_WithinTheTotalDeadline()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, o =>
        {
            o.Introspection.AttemptTimeout = TimeSpan.FromMilliseconds(100);
            o.Introspection.Timeout = TimeSpan.FromMilliseconds(600);
        });
        var token = await authority.IssueAsync();
        authority.Fault = async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
            await context.Response.WriteAsync("""{"active":true}""");
        };

        var started = TimeProvider.System.GetTimestamp();
        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2));
        Assert.Equal(3, authority.Calls);   // one attempt and two retries, each cut at 100 ms
    }

    [Fact]
    public async Task ConnectionRefused_Is503()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        var closed = new Uri($"http://127.0.0.1:{ClosedPort()}/oauth/introspect");
        await using var app = await StartAsync(authority, o => o.Introspection.Endpoint = closed.AbsoluteUri);

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", await authority.IssueAsync()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("could not be reached", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingServer_OpensTheCircuit_503AtOnce_ThenRecovers()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, o =>
        {
            o.Introspection.MaxRetryAttempts = 0;
            o.Introspection.CircuitBreaker.MinimumThroughput = 2;
            o.Introspection.CircuitBreaker.FailureRatio = 0.5;
            o.Introspection.CircuitBreaker.BreakDuration = TimeSpan.FromMilliseconds(700);
        });
        var token = await authority.IssueAsync();
        authority.Fault = Fault("500");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(app, token));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(app, token));
        Assert.Equal(2, authority.Calls);

        // Open: answered at once, without a call, with the break as Retry-After.
        authority.Fault = null;
        using var open = await app.Client.SendAsync(TestApp.Get("/protected", token));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, open.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), open.Headers.RetryAfter?.Delta);
        Assert.Equal(2, authority.Calls);

        await Task.Delay(TimeSpan.FromMilliseconds(800));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        Assert.Equal(3, authority.Calls);
    }

    [Fact]
    public async Task Calls_TimedAndTraced_WithTheirOutcome()
    {
        var activities = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == TokenAuthMetrics.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllData,
            ActivityStopped = activities.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, o => o.Introspection.MaxRetryAttempts = 0);
        using var calls = Diagnostics.MetricsTests.Collect<double>(app, "tokenauth.backend.call.duration");

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, await authority.IssueAsync()));
        authority.Fault = Fault("500");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(app, await authority.IssueAsync()));

        Assert.Equal(["success", "failure"], calls.GetMeasurementSnapshot().Select(m => (string?)m.Tags["tokenauth.backend.outcome"]));
        Assert.All(calls.GetMeasurementSnapshot(), m => Assert.Equal("introspection", m.Tags["tokenauth.backend"]));
        var ours = activities.Where(a => a.DisplayName == "TokenAuth introspection" && (string?)a.GetTagItem("server.address") == authority.Address.Host).ToList();
        Assert.Contains(ours, a => (string?)a.GetTagItem("tokenauth.backend") == "introspection" && (string?)a.GetTagItem("tokenauth.backend.outcome") == "success"
                                   && a.Status == System.Diagnostics.ActivityStatusCode.Unset);
        Assert.Contains(ours, a => (string?)a.GetTagItem("tokenauth.backend") == "introspection" && (string?)a.GetTagItem("tokenauth.backend.outcome") == "failure"
                                   && a.Status == System.Diagnostics.ActivityStatusCode.Error && a.StatusDescription?.Contains("authorization server", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task HandlerThatThrows_Is503()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, services: s => s
            .AddHttpClient(TokenAuthDefaults.IntrospectionHttpClientName + "." + TokenAuthDefaults.AuthenticationScheme)
            .ConfigurePrimaryHttpMessageHandler(() => new ThrowingHandler()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(app, await authority.IssueAsync()));
        Assert.Equal(0, authority.Calls);
    }

    [Fact]
    public async Task MappingThatThrows_OrWritesNoRequest_Is503_NeverA500()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        var token = await authority.IssueAsync();
        await using var readThrows = await StartAsync(authority, o => o.Introspection.Protocol = IntrospectionProtocols.Create(
            (endpoint, t, _) => new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent([new("token", t)]) },
            answer => TokenCheckResult.Valid(new TokenInfo { Subject = answer.Json.GetProperty("no-such-member").GetString() })));
        await using var writeThrows = await StartAsync(authority, o => o.Introspection.Protocol = IntrospectionProtocols.Create(
            (_, _, _) => throw new InvalidOperationException("bug"),
            _ => TokenCheckResult.Invalid("never")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(readThrows, token));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(writeThrows, token));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class ThrowingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => throw new IOException("The network is gone.");
    }
}
