using System.Text;

namespace TokenAuth.Tests.Hostile;

/// <summary>
/// The rows, by category (one file each). The expected answers come from RFC 6749, 6750, 7009, 7515, 7519, 7617, 7662,
/// 8725, 9068, 9110 and the seed documents, read through the README's tables — never from what the code does today:
/// where the two disagree the row keeps the RFC's answer, and either the code was fixed or the row is reported.
/// Rows run in order: some use what an earlier row obtained (a rotated refresh token, a revoked one).
/// </summary>
internal static partial class HostileCorpus
{
    // Bugs issue 9 lists under "What the last review left open", being fixed on main by another change.
    public const string SudoKindCase = "sudo duplicate detection compares the kind case-sensitively";
    public const string ActNesting = "an act claim the caller already has is not nested";
    public const string UnknownBoundTenant = "an unknown bound tenant falls back to id = code";
    public const string Crit = "a JWT whose crit names an unknown extension is accepted";
    public const string StalledBody = "a stalled or aborted form body escapes the form reader";

    /// <summary>The rows run against the sample as it ships (opaque tokens in its store).</summary>
    public static IEnumerable<HostileRow> Plain() => [.. Tokens(), .. Multiple(), .. Bodies(), .. SudoTenant(), .. Server()];

    /// <summary>The rows run against the sample issuing and validating RS256 JWTs.</summary>
    public static IEnumerable<HostileRow> Jwt() => JwtRows();

    private static HttpRequestMessage Get(string uri) => Req.Get(uri);

    private static HttpRequestMessage Post(string uri) => Req.Post(uri);

    /// <summary><paramref name="value"/> percent-encoded for a query string (every reserved character, controls included).</summary>
    private static string Q(string value) => Uri.EscapeDataString(value);

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static string Repeat(char c, int count) => new(c, count);
}
