using System.Text.RegularExpressions;

namespace TokenAuth;

/// <summary>
/// Parses sudo values strictly: <c>kind:value</c> with a case-insensitive kind, a trimmed, bounded,
/// printable value, and a value that looks like what its kind says (an address, a phone number).
/// </summary>
internal static partial class SudoParser
{
    public const string AcceptedForms = "uid:<id>, loginName:<name>, email:<address> or mobile:<number>";

    public static string Prefix(SudoKind kind) => kind switch
    {
        SudoKind.Uid => "uid",
        SudoKind.LoginName => "loginName",
        SudoKind.Email => "email",
        _ => "mobile",
    };

    /// <summary>Parses <paramref name="raw"/>; on failure <paramref name="error"/> says why and lists the accepted forms.</summary>
    public static bool TryParse(string raw, SudoOptions options, out SudoTarget? target, out bool deprecatedAlias, out string? error)
    {
        target = null;
        deprecatedAlias = false;
        error = null;
        var colon = raw.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return Fail("has no kind", out error);
        }

        var kindText = raw[..colon].Trim();
        var value = raw[(colon + 1)..].Trim();
        SudoKind kind;
        if (kindText.Equals("uid", StringComparison.OrdinalIgnoreCase))
        {
            kind = SudoKind.Uid;
        }
        else if (kindText.Equals("loginName", StringComparison.OrdinalIgnoreCase))
        {
            kind = SudoKind.LoginName;
        }
        else if (kindText.Equals("email", StringComparison.OrdinalIgnoreCase))
        {
            kind = SudoKind.Email;
        }
        else if (kindText.Equals("mobile", StringComparison.OrdinalIgnoreCase))
        {
            kind = SudoKind.Mobile;
        }
        else if (kindText.Equals("username", StringComparison.OrdinalIgnoreCase))
        {
            if (!options.AllowUsernameAlias)
            {
                return Fail("uses 'username:', which is switched off; use 'loginName:'", out error);
            }

            kind = SudoKind.LoginName;
            deprecatedAlias = true;
        }
        else
        {
            return Fail("has an unknown kind", out error);
        }

        if (value.Length == 0)
        {
            return Fail("has no value", out error);
        }

        if (value.Length > options.MaxValueLength)
        {
            return Fail($"is longer than {options.MaxValueLength} characters", out error);
        }

        var valid = kind switch
        {
            SudoKind.Uid => UidPattern().IsMatch(value),
            SudoKind.LoginName => value.All(c => !char.IsControl(c) && !char.IsWhiteSpace(c) && c is not (':' or '"' or '\\')),
            SudoKind.Email => value.Length <= 254 && EmailPattern().IsMatch(value),
            _ => MobilePattern().IsMatch(value),
        };
        if (!valid)
        {
            return Fail($"is not a valid {Prefix(kind)}", out error);
        }

        target = new SudoTarget(kind, value);
        return true;
    }

    private static bool Fail(string why, out string error)
    {
        error = $"The sudo value {why}. Accepted forms: {AcceptedForms}.";
        return false;
    }

    // Ids: letters, digits and - _ . (numeric ids, UUIDs, Mongo ObjectIds).
    [GeneratedRegex("^[A-Za-z0-9_.-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex UidPattern();

    // Deliberately simple: one @, a dot in the domain, no spaces or controls, and no empty dot-separated label
    // (no leading, trailing or doubled dot around either part); the store decides if it exists.
    [GeneratedRegex(@"^(?!\.)(?!.*\.\.)(?!.*\.@)(?!.*@\.)(?!.*\.$)[^@\s\p{C}:""\\]{1,64}@[^@\s\p{C}:""\\]+\.[^@\s\p{C}:""\\.][^@\s\p{C}:""\\]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();

    // E.164-like: an optional +, then 5 to 15 digits.
    [GeneratedRegex(@"^\+?[0-9]{5,15}$", RegexOptions.CultureInvariant)]
    private static partial Regex MobilePattern();
}
