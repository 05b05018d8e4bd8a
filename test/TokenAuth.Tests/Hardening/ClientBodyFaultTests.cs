using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Hardening;

/// <summary>
/// A client that does not send the body it announced — cut short (it closes its side after part of it) or too slowly
/// (Kestrel's minimum body data rate) — is the client's fault: an answer in the endpoint's own shape, 400 or 408, and no
/// unhandled exception logged as the server's. Real Kestrel, raw sockets: only a socket can send half a body.
/// </summary>
public sealed class ClientBodyFaultTests : IClassFixture<ClientBodyFaultTests.Sample>
{
    private readonly Sample _sample;

    public ClientBodyFaultTests(Sample sample) => _sample = sample;

    [Fact]
    public async Task TokenEndpoint_BodyCutShort_NothingLoggedAsAnError()
    {
        var answer = await SendPartAsync("POST /oauth/token", "application/x-www-form-urlencoded", "grant_type=client_cre", announced: 200, closeAfter: true);

        // Kestrel takes the closed side for a connection gone (the request is aborted, nothing can be answered) or
        // reads the body as cut short; either way no error is the server's, and an answer is a 400.
        AssertNoErrorLogged();
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 400", StringComparison.Ordinal), answer);
    }

    [Fact]
    public async Task FormTokenSource_BodyCutShort_NothingLoggedAsAnError()
    {
        var answer = await SendPartAsync("POST /api/me", "application/x-www-form-urlencoded", "access_token=abc", announced: 300, closeAfter: true);

        AssertNoErrorLogged();
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 400", StringComparison.Ordinal), answer);
    }

    [Fact]
    public async Task TokenEndpoint_BodySentTooSlowly_408OrClosed_NothingLoggedAsAnError()
    {
        // Kestrel checks the rate once its grace period (2 s here) is over; the client sends a few bytes and waits.
        var answer = await SendPartAsync("POST /oauth/token", "application/x-www-form-urlencoded", "grant_type=", announced: 200, closeAfter: false);

        // Kestrel may close the connection on its own once the rate is missed; whatever was answered is a 408.
        if (answer.Length > 0)
        {
            Assert.StartsWith("HTTP/1.1 408", answer, StringComparison.Ordinal);
        }

        AssertNoErrorLogged();
    }

    [Fact]
    public async Task FormTokenSource_BodySentTooSlowly_408OrClosed_NothingLoggedAsAnError()
    {
        var answer = await SendPartAsync("POST /api/me", "application/x-www-form-urlencoded", "access_token=", announced: 300, closeAfter: false);

        if (answer.Length > 0)
        {
            Assert.Matches("^HTTP/1.1 40[08]", answer);
        }

        AssertNoErrorLogged();
    }

    private void AssertNoErrorLogged()
        => Assert.False(_sample.Logs.Entries.Any(e => e.Level >= LogLevel.Warning), _sample.Logs.AllText);

    private async Task<string> SendPartAsync(string requestLine, string contentType, string part, int announced, bool closeAfter)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_sample.Address.Host, _sample.Address.Port);
        var stream = client.GetStream();
        var head = $"{requestLine} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {contentType}\r\nContent-Length: {announced}\r\n\r\n{part}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        if (closeAfter)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var answer = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                answer.Write(buffer, 0, n);
                if (Complete(answer))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // The server closed the connection: what was read is the answer.
        }

        return Encoding.UTF8.GetString(answer.ToArray());
    }

    /// <summary>Whether the answer read so far holds its headers and as many body bytes as its Content-Length says.</summary>
    private static bool Complete(MemoryStream answer)
    {
        var text = Encoding.UTF8.GetString(answer.ToArray());
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var match = System.Text.RegularExpressions.Regex.Match(text[..end], @"(?im)^content-length:\s*(\d+)");
        return match.Success && Encoding.UTF8.GetByteCount(text[(end + 4)..]) >= int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The sample on Kestrel, with a minimum body data rate whose grace period a test can wait out, its logs kept.</summary>
    public sealed class Sample : WebApplicationFactory<Program>
    {
        public Sample() => UseKestrel();

        public LogSink Logs { get; } = new();

        public Uri Address
        {
            get
            {
                StartServer();
                return new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            }
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseFreeLoopbackPort();
            builder.ConfigureLogging(logging => logging.AddProvider(Logs));
            builder.ConfigureServices(services => services.Configure<KestrelServerOptions>(
                o => o.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 100, gracePeriod: TimeSpan.FromSeconds(2))));
        }
    }
}
