using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace TokenAuth.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, owned by the test: without persistence by default, or with an
/// append-only file in a data directory of its own (<see cref="StartAsync(bool)"/>) that a restart reads back.
/// It can be stopped and restarted on the same port, or paused and resumed, to test outages.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const int SigStop = 19, SigCont = 18;

    private Process? _process;

    private RedisServer(int port, string? dataDirectory)
    {
        Port = port;
        DataDirectory = dataDirectory;
    }

    public int Port { get; }

    /// <summary>Where a persistent server keeps its append-only file; <see langword="null"/> without persistence.</summary>
    public string? DataDirectory { get; }

    /// <summary>A connection string that fails fast while the server is down.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000,connectRetry=1";

    public static string? FindBinary()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/sbin"))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Starts a server. With <paramref name="appendOnly"/>, every write is in its append-only file (fsync'd before the
    /// reply, <c>appendfsync always</c>) before the client hears it succeeded, so a server killed with SIGKILL and
    /// restarted (<see cref="RestartAsync"/>, same directory) has every write it acknowledged: what a production Redis
    /// with persistence promises at best, and what the durability drills hold the store to.
    /// </summary>
    public static async Task<RedisServer> StartAsync(bool appendOnly = false)
    {
        var server = new RedisServer(FreePort(), appendOnly ? Directory.CreateTempSubdirectory("tokenauth-redis-").FullName : null);
        await server.StartProcessAsync();
        return server;
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts the stopped server again on the same port (and data directory: a persistent one reloads its data).</summary>
    public Task RestartAsync() => StartProcessAsync();

    /// <summary>
    /// Freezes the server (SIGSTOP): its connections stay open and commands get no answer, as with a hung host — the
    /// case a client-side time-out has to catch, unlike a refused connection.
    /// </summary>
    public void Pause() => Signal(SigStop);

    /// <summary>Lets a paused server go on (SIGCONT): it answers what it was sent meanwhile.</summary>
    public void Resume() => Signal(SigCont);

    private void Signal(int signal)
    {
        var process = _process is { HasExited: false } p ? p : throw new InvalidOperationException("redis-server is not running.");
        if (Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks in the test project for one syscall.
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054

    /// <summary><see cref="Pause"/>, for callers written against an asynchronous signal.</summary>
    public Task PauseAsync()
    {
        Pause();
        return Task.CompletedTask;
    }

    /// <summary><see cref="Resume"/>, for callers written against an asynchronous signal.</summary>
    public Task ResumeAsync()
    {
        Resume();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (DataDirectory is not null)
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private async Task StartProcessAsync()
    {
        var binary = FindBinary() ?? throw new InvalidOperationException("redis-server is not installed (apt-get install -y redis-server).");
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] persistence = DataDirectory is null
            ? ["--appendonly", "no"]
            : ["--dir", DataDirectory, "--appendonly", "yes", "--appendfsync", "always"];
        foreach (var arg in (string[])["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, .. persistence, "--protected-mode", "yes"])
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Wait until it answers PING (bounded: 10 s).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (await PingAsync())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"redis-server did not answer on port {Port} within 10 s.");
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return read > 0 && buffer[0] == (byte)'+';
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
