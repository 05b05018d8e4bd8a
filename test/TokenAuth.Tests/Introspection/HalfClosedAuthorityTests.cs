using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TokenAuth.Tests.Infrastructure;
using Xunit.Abstractions;

namespace TokenAuth.Tests.Introspection;

/// <summary>
/// An authorization server that breaks the connection itself, below HTTP: a raw socket that reads the whole introspection
/// request and then closes without a word, half-closes (shuts its sending side and keeps reading), sends a status line or
/// part of a body and closes or resets (RST), or stalls in the middle of its answer past the deadline. Each is a 503 with
/// <c>Retry-After</c> within the introspection deadline — never a 401, a 500 or a 200 for an unchecked token — nothing
/// of it is kept, and the next good answer is a 200. A metadata document that stalls mid-body is held to the same
/// deadline. The drill prints its figures (README, Reliability).
/// </summary>
public sealed class HalfClosedAuthorityTests(ITestOutputHelper output, RunnerLog runner) : IClassFixture<RunnerLog>
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    /// <summary>The deadline plus room for a loaded two-core machine.</summary>
    private static readonly TimeSpan DeadlineBound = Deadline + TimeSpan.FromSeconds(1.5);

    private const string GoodAnswer = """{"active":true,"sub":"user-1","client_id":"app","scope":"read"}""";

    /// <summary>What the raw authority does once it has read a request, by name.</summary>
    private static readonly (string Name, Func<Socket, NetworkStream, CancellationToken, Task> Act)[] Faults =
    [
        ("closes after reading the request", (socket, _, _) => Close(socket)),
        ("half-closes: shuts its sending side, keeps reading", async (socket, stream, ct) =>
        {
            socket.Shutdown(SocketShutdown.Send);
            // Reads until the client gives up on the connection (or the drill ends): the socket stays half-open meanwhile.
            var buffer = new byte[1024];
            while (await stream.ReadAsync(buffer, ct) > 0)
            {
            }
        }),
        ("a status line, then closes", async (socket, stream, ct) =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\n"u8.ToArray(), ct);
            await Close(socket);
        }),
        ("headers and part of the body, then closes", async (socket, stream, ct) =>
        {
            await stream.WriteAsync(Partial(), ct);
            await Close(socket);
        }),
        ("headers and part of the body, then a reset (RST)", async (socket, stream, ct) =>
        {
            await stream.WriteAsync(Partial(), ct);
            socket.LingerState = new LingerOption(enable: true, seconds: 0);
            socket.Close();
        }),
        ("headers and part of the body, then stalls past the deadline", async (_, stream, ct) =>
        {
            await stream.WriteAsync(Partial(), ct);
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
        }),
    ];

    [Fact]
    public async Task AuthorityThatBreaksTheConnection_Is503WithRetryAfterWithinTheDeadline_NotCached_NextGoodAnswerIs200()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var raw = RawAuthority.Start();
        var lines = new List<string>();
        int requests = 0, unavailable = 0, ok = 0, connections = 0;
        var slowest = TimeSpan.Zero;

        foreach (var (name, act) in Faults)
        {
            // An app per fault: each fault starts from a closed circuit and an empty cache.
            await using var app = await ResourceServer.StartAsync(authority, o =>
            {
                o.Introspection.Endpoint = raw.Endpoint;
                o.Introspection.AttemptTimeout = AttemptTimeout;
                o.Introspection.Timeout = Deadline;
            });
            var token = await authority.IssueAsync();
            raw.Fault = act;
            var callsBefore = raw.Calls;

            var started = Stopwatch.GetTimestamp();
            using var failed = await app.Client.SendAsync(TestApp.Get("/protected", token));
            var elapsed = Stopwatch.GetElapsedTime(started);
            var faultCalls = raw.Calls - callsBefore;

            Assert.True(failed.StatusCode == HttpStatusCode.ServiceUnavailable, $"{name}: {(int)failed.StatusCode}");
            Assert.True(failed.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"{name}: no Retry-After");
            Assert.Empty(failed.Headers.WwwAuthenticate);
            Assert.True(elapsed < DeadlineBound, $"{name}: 503 after {elapsed.TotalMilliseconds:0} ms");
            Assert.InRange(faultCalls, 1, 3);   // one attempt and at most two retries

            // Nothing was kept: the same token is asked about again, and passes now that the authority answers.
            raw.Fault = null;
            var callsGood = raw.Calls;
            using var passed = await app.Client.SendAsync(TestApp.Get("/protected", token));
            Assert.True(passed.StatusCode == HttpStatusCode.OK, $"{name}, then a good answer: {(int)passed.StatusCode}");
            Assert.Equal(1, raw.Calls - callsGood);
            Assert.DoesNotContain(app.Logs.Entries, e => e.Text.Contains(token, StringComparison.Ordinal));

            requests += 2;
            unavailable++;
            ok++;
            connections += faultCalls + 1;
            slowest = elapsed > slowest ? elapsed : slowest;
            lines.Add($"  {name}: 503 + Retry-After {(int)failed.Headers.RetryAfter!.Delta!.Value.TotalSeconds} s after {elapsed.TotalMilliseconds:0} ms ({faultCalls} attempt(s)), then 200");
        }

        var summary = $"drill: introspection authority breaking its connection: {Faults.Length} faults, {requests} requests, all as expected: "
                      + $"{unavailable} × 503 + Retry-After (slowest {slowest.TotalMilliseconds:0} ms, deadline {Deadline.TotalMilliseconds:0} ms), "
                      + $"{ok} × 200 on the next good answer; {connections} connections to the authority";
        foreach (var line in lines.Prepend(summary))
        {
            output.WriteLine(line);
        }

        runner.WriteLine(summary);
    }

    [Fact]
    public async Task MetadataDocumentThatStallsMidBody_Is503WithinTheDeadline_ThenDiscovered()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var raw = RawAuthority.Start();
        await using var app = await ResourceServer.StartAsync(authority, o =>
        {
            o.Introspection.Endpoint = null;
            o.Introspection.Authority = raw.Issuer;
            o.Introspection.AttemptTimeout = AttemptTimeout;
            o.Introspection.Timeout = Deadline;
        });
        var token = await authority.IssueAsync();
        raw.Fault = Faults.Single(f => f.Name.EndsWith("stalls past the deadline", StringComparison.Ordinal)).Act;

        var started = Stopwatch.GetTimestamp();
        using var failed = await app.Client.SendAsync(TestApp.Get("/protected", token));
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.True(failed.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "no Retry-After");
        // The fetch every request waits for is held to the deadline: before, it waited for the server to close.
        Assert.True(elapsed < DeadlineBound, $"503 after {elapsed.TotalMilliseconds:0} ms");

        // The failed fetch is not kept: the next request discovers the endpoint (the raw server answers any path).
        raw.Fault = null;
        raw.Metadata = $$"""{"issuer":"{{raw.Issuer}}","introspection_endpoint":"{{raw.Endpoint}}"}""";
        using var passed = await app.Client.SendAsync(TestApp.Get("/protected", token));
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        output.WriteLine($"metadata stalled mid-body: 503 after {elapsed.TotalMilliseconds:0} ms (deadline {Deadline.TotalMilliseconds:0} ms), then 200");
    }

    /// <summary>A 200 whose headers promise more body than follows.</summary>
    private static byte[] Partial()
        => Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {GoodAnswer.Length}\r\n\r\n{GoodAnswer[..(GoodAnswer.Length / 2)]}");

    /// <summary>An orderly close (FIN) once everything written has gone.</summary>
    private static Task Close(Socket socket)
    {
        socket.Shutdown(SocketShutdown.Both);
        socket.Close();
        return Task.CompletedTask;
    }

    /// <summary>
    /// An HTTP/1.1 server written on a bare <see cref="TcpListener"/> (127.0.0.1), so that it can misbehave where Kestrel
    /// would not let it: it reads each request (headers and a Content-Length body), counts it, then either runs
    /// <see cref="Fault"/> or answers <see cref="GoodAnswer"/> and closes the connection.
    /// </summary>
    private sealed class RawAuthority : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private Task _accepting = Task.CompletedTask;
        private int _calls;

        public string Issuer => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public string Endpoint => Issuer + "/oauth/introspect";

        public Func<Socket, NetworkStream, CancellationToken, Task>? Fault { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        /// <summary>The answer to a request for a <c>/.well-known/</c> document while no fault is set.</summary>
        public string? Metadata { get; set; }

        public static RawAuthority Start()
        {
            var authority = new RawAuthority();
            authority._listener.Start();
            authority._accepting = authority.AcceptAsync();
            return authority;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _accepting;
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                _ = Task.Run(() => ServeAsync(socket));
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            using (socket)
            await using (var stream = new NetworkStream(socket, ownsSocket: false))
            {
                try
                {
                    var path = await ReadRequestAsync(stream, _stop.Token);
                    if (path is null)
                    {
                        return;
                    }

                    Interlocked.Increment(ref _calls);
                    if (Fault is { } fault)
                    {
                        await fault(socket, stream, _stop.Token);
                        return;
                    }

                    var body = Encoding.UTF8.GetBytes(path.Contains("/.well-known/", StringComparison.Ordinal) ? Metadata ?? "{}" : GoodAnswer);
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(
                        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length.ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n\r\n"), _stop.Token);
                    await stream.WriteAsync(body, _stop.Token);
                    await Close(socket);
                }
                catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // The client gave up on a connection the fault left open, or the drill ended.
                }
            }
        }

        /// <summary>Reads the headers and the Content-Length body: the request's path, or <see langword="null"/> if the client closed first.</summary>
        private static async Task<string?> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
        {
            var received = new List<byte>();
            var buffer = new byte[4096];
            int headerEnd;
            while ((headerEnd = IndexOfHeaderEnd(received)) < 0)
            {
                var n = await stream.ReadAsync(buffer, cancellationToken);
                if (n == 0)
                {
                    return null;
                }

                received.AddRange(buffer.AsSpan(0, n));
            }

            var headers = Encoding.ASCII.GetString([.. received], 0, headerEnd);
            var length = headers.Split("\r\n")
                .Where(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                .Select(h => int.Parse(h["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture))
                .FirstOrDefault();
            var missing = length - (received.Count - headerEnd - 4);
            while (missing > 0)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, missing)), cancellationToken);
                if (n == 0)
                {
                    return null;
                }

                missing -= n;
            }

            // "POST /oauth/introspect HTTP/1.1"
            return headers.Split(' ', 3)[1];
        }

        private static int IndexOfHeaderEnd(List<byte> bytes)
        {
            for (var i = 3; i < bytes.Count; i++)
            {
                if (bytes[i - 3] == '\r' && bytes[i - 2] == '\n' && bytes[i - 1] == '\r' && bytes[i] == '\n')
                {
                    return i - 3;
                }
            }

            return -1;
        }
    }
}
