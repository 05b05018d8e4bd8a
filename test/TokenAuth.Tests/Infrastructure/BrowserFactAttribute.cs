namespace TokenAuth.Tests.Infrastructure;

/// <summary>
/// A fact that needs a real Chromium (Debian's <c>chromium</c> package), driven by Playwright. Skipped, with the reason,
/// when none is installed — unless <c>TOKENAUTH_REQUIRE_BROWSER=1</c> (CI), where the test runs and fails instead.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (FindChromium() is null && Environment.GetEnvironmentVariable("TOKENAUTH_REQUIRE_BROWSER") != "1")
        {
            Skip = "Chromium is not installed; install it (apt-get install -y chromium) or set TOKENAUTH_REQUIRE_BROWSER=1 to fail instead.";
        }
    }

    /// <summary><c>/usr/bin/chromium</c>, else <c>chromium</c> on the PATH; <see langword="null"/> when neither exists.</summary>
    public static string? FindChromium()
    {
        const string debian = "/usr/bin/chromium";
        if (File.Exists(debian))
        {
            return debian;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "chromium"))
            .FirstOrDefault(File.Exists);
    }
}
