using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TokenAuth.Tests.Infrastructure;

/// <summary>Captures every log line, its structured values, scopes and exception text, at every level.</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, EventId EventId, string Text)> _entries = new();

    public IReadOnlyCollection<(string Category, LogLevel Level, EventId EventId, string Text)> Entries => _entries;

    /// <summary>All captured text in one string, for "does any line contain…" assertions.</summary>
    public string AllText => string.Join('\n', _entries.Select(e => $"{e.Category} {e.Level} {e.EventId} {e.Text}"));

    /// <summary>
    /// All text except the host's request lines (<c>Microsoft.AspNetCore.Hosting.Diagnostics</c>), which write the
    /// full URL, query token included, before any middleware runs. TokenAuth warns about that category at start-up.
    /// </summary>
    public string TextOutsideHostingRequestLines
        => string.Join('\n', _entries.Where(e => e.Category != "Microsoft.AspNetCore.Hosting.Diagnostics").Select(e => $"{e.Category} {e.Level} {e.EventId} {e.Text}"));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, LogSink sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            sink._entries.Enqueue((category, LogLevel.Trace, default, "scope: " + state));
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = formatter(state, exception);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                text += " | " + string.Join(", ", values.Select(kv => $"{kv.Key}={kv.Value}"));
            }

            if (exception is not null)
            {
                text += " | " + exception;
            }

            sink._entries.Enqueue((category, logLevel, eventId, text));
        }
    }
}
