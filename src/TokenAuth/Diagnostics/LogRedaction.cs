using System.Text.RegularExpressions;

namespace TokenAuth;

/// <summary>
/// What a backend's exception may say in a log. Redis client exceptions name the key they were working on —
/// <c>…:at:&lt;43 base64url characters&gt;</c>, <c>…:c:introspection:&lt;64 hex digits&gt;</c> — and a token's whole hash is
/// a lookup key for it in the store: logs get 48 bits of it (the 12-digit prefix the README promises), never the rest. The copy keeps
/// the type's name, the message so redacted, the original stack trace and the inner exceptions (redacted too).
/// </summary>
internal static partial class LogRedaction
{
    /// <summary>The exception to log in place of <paramref name="exception"/>; itself when it names no key.</summary>
    public static Exception Redact(Exception exception)
    {
        var message = RedactText(exception.Message);
        var inner = exception.InnerException is { } original ? Redact(original) : null;
        return ReferenceEquals(message, exception.Message) && ReferenceEquals(inner, exception.InnerException)
            ? exception
            : new RedactedException(exception, message, inner);
    }

    /// <summary>
    /// Shortens every run of 20 or more key characters that follows a colon to 48 bits of it: the 12-digit prefix of a hex
    /// hash (what the logs' <c>TokenHash</c> fields show), 8 characters of base64url.
    /// </summary>
    public static string RedactText(string text)
        => text.Contains(':', StringComparison.Ordinal) && KeyTail().IsMatch(text)
            ? KeyTail().Replace(text, static m => m.Value[..(m.Value.AsSpan().ContainsAnyExcept(Hex) ? 8 : 12)] + "…")
            : text;

    private static readonly System.Buffers.SearchValues<char> Hex = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    // After a ':' (every TokenAuth key's last separator), a run of at least 20 characters a hash is written in.
    [GeneratedRegex("(?<=:)[0-9A-Za-z_-]{20,}", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex KeyTail();

    /// <summary>An exception as logged: the original's type name and stack trace, its message redacted.</summary>
    private sealed class RedactedException(Exception original, string message, Exception? inner)
        : Exception($"{original.GetType().FullName}: {message}", inner)
    {
        public override string? StackTrace => original.StackTrace;
    }
}
