using System.Text.Json;
using System.Text.RegularExpressions;

namespace TokenAuth.Tests.Hostile;

/// <summary>The wire shape of a token-server profile's answers (README "Profiles").</summary>
internal enum Shape
{
    /// <summary>RFC 6749 §5.1/§5.2, <c>/oauth/*</c> (seed 000).</summary>
    Rfc,

    /// <summary>Seed 001's token and check: RFC members, <c>token_type</c> <c>bearer</c>, <c>expires_in</c> a string.</summary>
    Seed001,

    /// <summary>Seed 001's revoke: <c>{"code":0,"msg":"success"}</c>; errors <c>{"code":400,"msg":…,"error":…}</c>.</summary>
    Seed001Revoke,

    /// <summary>Seed 002: camelCase members, <c>expiresIn</c> a string.</summary>
    Seed002,

    /// <summary>Seed 003: <c>{"resp_code","resp_msg","datas"}</c>.</summary>
    Seed003,

    /// <summary>Seed 003's code exchange: plain RFC 6749 members with <c>token_type</c> <c>bearer</c>.</summary>
    Seed003Plain,

    /// <summary>Seed 004: <c>{"code","message","trackId","data","extr","timestamp","_status","ok"}</c>.</summary>
    Seed004,
}

/// <summary>
/// What a row must get back: the exact status and every part of the answer that says what happened — the RFC 6750
/// challenge, the problem or profile error body, whom the pipeline authenticated. Every row also fails on a thrown
/// exception and on anything the app logged at Error or above.
/// </summary>
internal sealed partial class Expect
{
    private readonly List<Func<HostileOutcome, string?>> _checks = [];
    private readonly int[] _statuses;

    // Whom the pipeline must have authenticated once it had answered: nobody unless a row says so. An answer that refuses
    // the request in the authorization layer (403 insufficient_scope on an endpoint) has authenticated the token's owner.
    private string? _subject;
    private bool _identityChecked = true;

    private Expect(string summary, params int[] statuses)
    {
        Summary = summary;
        _statuses = statuses;
    }

    /// <summary>The expected answer in a few words, for the report of a mismatch.</summary>
    public string Summary { get; }

    public bool Allows(int status) => _statuses.Contains(status);

    /// <summary>The request must have been authenticated as <paramref name="subject"/> (and refused later, or answered).</summary>
    public Expect As(string subject)
    {
        _subject = subject;
        return this;
    }

    public Expect And(Func<HostileOutcome, string?> check)
    {
        _checks.Add(check);
        return this;
    }

    public IEnumerable<string> Mismatches(HostileOutcome outcome)
    {
        if (outcome.Exception is not null)
        {
            yield return "threw " + outcome.Exception;
        }
        else if (!_statuses.Contains(outcome.Status))
        {
            yield return $"status {outcome.Status}";
        }
        else
        {
            var who = outcome.Probe is { Authenticated: true } p ? p.Subject : null;
            if (_identityChecked && who != _subject)
            {
                yield return who is null ? $"authenticated nobody, expected {_subject}" : $"authenticated as {who}, expected {_subject ?? "nobody"}";
            }

            foreach (var check in _checks)
            {
                if (check(outcome) is { } why)
                {
                    yield return why;
                }
            }
        }

        foreach (var error in outcome.Errors.Take(2))
        {
            yield return "logged " + (error.Length > 300 ? error[..300] + "…" : error);
        }
    }

    // ---- The resource server (/api/*) ----------------------------------------------------------------------------

    /// <summary>200 from <c>/api/me</c>, authenticated as <paramref name="subject"/>.</summary>
    public static Expect Me(string subject, string? source = null)
    {
        var expect = new Expect($"200 as {subject}", 200).As(subject);
        return source is null ? expect : expect.And(o => o.Member("tokenSource") == source ? null : $"tokenSource {o.Member("tokenSource")}, expected {source}");
    }

    /// <summary>An endpoint that allows anonymous callers answered, and nobody was authenticated.</summary>
    public static Expect Anonymous(int status = 200) => new Expect($"{status}, nobody authenticated", status);

    /// <summary>No token found: 401 with a bare <c>Bearer</c> challenge (RFC 6750 §3.1: no error code when no credentials were sent).</summary>
    public static Expect NoToken() => new Expect("401 Bearer (no error)", 401)
        .And(o => o.Header("WWW-Authenticate") == "Bearer" ? null : $"WWW-Authenticate '{o.Header("WWW-Authenticate")}', expected a bare 'Bearer'");

    /// <summary>401 <c>invalid_token</c> (RFC 6750 §3.1).</summary>
    public static Expect InvalidToken(string? description = null) => Bearer(401, "invalid_token", description: description);

    /// <summary>400 <c>invalid_request</c> (RFC 6750 §3.1).</summary>
    public static Expect InvalidRequest(string? description = null) => Bearer(400, "invalid_request", description: description);

    /// <summary>
    /// 403 <c>insufficient_scope</c> with the scope named (RFC 6750 §3.1): refused by authentication (sudo: nobody
    /// authenticated) or, with <paramref name="subject"/>, by the endpoint's policy after the token authenticated.
    /// </summary>
    public static Expect InsufficientScope(string scope, string? subject = null)
    {
        var expect = Bearer(403, "insufficient_scope", scope);
        return subject is null ? expect : expect.As(subject);
    }

    /// <summary>A Bearer challenge with <paramref name="error"/>, the same code in the problem body, nobody authenticated.</summary>
    public static Expect Bearer(int status, string error, string? scope = null, string? description = null, params int[] alsoAllowed)
        => new Expect($"{status} Bearer error=\"{error}\"", [status, .. alsoAllowed]).And(o =>
        {
            var challenge = o.Header("WWW-Authenticate");
            if (challenge is null || !challenge.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                return $"WWW-Authenticate '{challenge}', expected a Bearer challenge";
            }

            if (ChallengeParameter(challenge, "error") != error)
            {
                return $"WWW-Authenticate '{challenge}', expected error=\"{error}\"";
            }

            if (scope is not null && ChallengeParameter(challenge, "scope") != scope)
            {
                return $"WWW-Authenticate '{challenge}', expected scope=\"{scope}\"";
            }

            if (description is not null && ChallengeParameter(challenge, "error_description")?.Contains(description, StringComparison.Ordinal) != true)
            {
                return $"WWW-Authenticate '{challenge}', expected a description with '{description}'";
            }

            return ProblemBody(o, error);
        });

    /// <summary>
    /// A problem-details answer without a Bearer challenge (RFC 6750 §3 has none for 404 or a plain 403):
    /// <paramref name="error"/> in the body (<see langword="null"/>: no error member), nobody authenticated.
    /// </summary>
    public static Expect Problem(int status, string? error, params int[] alsoAllowed)
        => new Expect($"{status} problem error={error ?? "-"}", [status, .. alsoAllowed]).And(o =>
            o.Header("WWW-Authenticate") is { } challenge ? $"WWW-Authenticate '{challenge}', expected none" : ProblemBody(o, error));

    /// <summary>Only the status (answers ASP.NET Core writes itself: 405, 415), and nobody authenticated.</summary>
    public static Expect Status(int status, params int[] alsoAllowed)
        => new Expect(string.Join(" or ", new[] { status }.Concat(alsoAllowed)), [status, .. alsoAllowed]);

    /// <summary>Where an RFC allows two answers (RFC 7519 §4: refuse duplicate claims, or use the last): either one, whole.</summary>
    public static Expect Either(Expect first, Expect second)
        => new Expect($"{first.Summary} or {second.Summary}", [.. first._statuses, .. second._statuses]) { _identityChecked = false }.And(o =>
            first.Mismatches(o).FirstOrDefault() is not { } why || !second.Mismatches(o).Any() ? null : why);

    public Expect Tenant(string? tenantId)
        => And(o => o.Probe?.TenantId == tenantId ? null : $"tenant {o.Probe?.TenantId ?? "none"}, expected {tenantId ?? "none"}");

    public Expect Actor(string actorSubject) => And(o =>
    {
        var act = o.Probe?.Act;
        return act is not null && JsonDocument.Parse(act).RootElement.TryGetProperty("sub", out var sub) && sub.GetString() == actorSubject
            ? null
            : $"act claim {act ?? "none"}, expected the caller {actorSubject}";
    });

    /// <summary>RFC 6750 §2.3, RFC 6749 §5.1: the answer must not be cached.</summary>
    public Expect NoStore() => And(o => o.Header("Cache-Control")?.Contains("no-store", StringComparison.Ordinal) == true ? null : $"Cache-Control '{o.Header("Cache-Control")}', expected no-store");

    // ---- The token server ----------------------------------------------------------------------------------------

    /// <summary>A token, in the profile's shape, never cached.</summary>
    public static Expect Issued(Shape shape) => new Expect($"200 token ({shape})", 200).NoStore().And(o => shape switch
    {
        Shape.Rfc => Members(o, ("access_token", null), ("token_type", "Bearer")) ?? Number(o, "expires_in"),
        Shape.Seed001 => Members(o, ("access_token", null), ("token_type", "bearer")) ?? String(o, "expires_in"),
        Shape.Seed002 => Members(o, ("accessToken", null), ("tokenType", "bearer")) ?? String(o, "expiresIn"),
        Shape.Seed003 => Members(o, ("resp_code", "200"), ("resp_msg", "ok"), ("datas.access_token", null), ("datas.token_type", "bearer")),
        Shape.Seed003Plain => Members(o, ("access_token", null), ("token_type", "bearer")) ?? Number(o, "expires_in"),
        Shape.Seed004 => Members(o, ("code", "200"), ("data", null), ("ok", "true"), ("_status", "SUCCESS")),
        _ => $"no check for {shape}",
    });

    /// <summary>An error in the profile's shape with the real HTTP status (RFC 6749 §5.2), no token in it.</summary>
    public static Expect OAuth(int status, string error, Shape shape)
        => new Expect($"{status} {error} ({shape})", status).NoStore().And(o =>
        {
            var status_ = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var body = shape switch
            {
                Shape.Rfc or Shape.Seed001 or Shape.Seed003Plain => Members(o, ("error", error)) ?? String(o, "error_description"),
                Shape.Seed002 => Members(o, ("error", error)) ?? String(o, "errorDescription"),
                Shape.Seed003 => Members(o, ("resp_code", status_), ("error", error)) ?? String(o, "resp_msg") ?? Null(o, "datas"),
                Shape.Seed004 => Members(o, ("code", status_), ("error", error), ("ok", "false"), ("_status", "FAILURE")) ?? String(o, "message") ?? Null(o, "data"),
                Shape.Seed001Revoke => Members(o, ("code", status_), ("error", error)) ?? String(o, "msg"),
                _ => $"no check for {shape}",
            };
            if (body is not null)
            {
                return body;
            }

            // RFC 6749 §5.2: error_description is printable ASCII without '"' and '\' (what a client may show or log as is).
            if (shape is Shape.Rfc or Shape.Seed001 or Shape.Seed003Plain && o.Member("error_description") is { } description
                && description.Where(c => c is < ' ' or > '~' or '"' or '\\').Select(c => (char?)c).FirstOrDefault() is { } bad)
            {
                return $"'{bad}' in error_description '{Short(description)}'";
            }

            // RFC 6749 §5.2: invalid_client after (or without) HTTP Basic names the scheme to use, on the profiles that take Basic.
            var challenge = o.Header("WWW-Authenticate");
            if (status == 401 && shape is Shape.Rfc or Shape.Seed003 && challenge?.StartsWith("Basic ", StringComparison.Ordinal) != true)
            {
                return $"WWW-Authenticate '{challenge}', expected a Basic challenge";
            }

            return status is 429 or 503 && o.Header("Retry-After") is null ? "no Retry-After" : null;
        });

    /// <summary>An introspection answer (RFC 7662 §2.2): exactly <c>{"active":false}</c> (§4: nothing else about the token).</summary>
    public static Expect Inactive() => new Expect("200 {\"active\":false}", 200)
        .And(o => o.Body == "{\"active\":false}" ? null : $"body {Short(o.Body)}, expected exactly {{\"active\":false}}");

    /// <summary>An active introspection answer for <paramref name="clientId"/>'s token.</summary>
    public static Expect Active(string clientId) => new Expect($"200 active ({clientId})", 200)
        .And(o => Members(o, ("active", "true"), ("client_id", clientId)));

    /// <summary>RFC 7009 §2.2: 200 with an empty body.</summary>
    public static Expect Revoked() => new Expect("200 empty", 200).And(o => o.Body.Length == 0 ? null : $"body {Short(o.Body)}, expected none");

    /// <summary>The authorization endpoint's error page: never a redirect to an unverified URI (RFC 6749 §4.1.2.1).</summary>
    public static Expect ErrorPage(int status) => new Expect($"{status} error page, no redirect", status)
        .And(o => o.Header("Location") is { } location ? $"redirected to {location}" : null);

    /// <summary>A redirect to the client's registered URI with <paramref name="error"/> (RFC 6749 §4.1.2.1, §4.2.2.1).</summary>
    public static Expect RedirectError(string redirectUri, string error) => new Expect($"302 to {redirectUri} error={error}", 302).And(o =>
    {
        var location = o.Header("Location");
        return location is not null && location.StartsWith(redirectUri, StringComparison.Ordinal) && location.Contains("error=" + error, StringComparison.Ordinal)
            ? null
            : $"Location '{location}', expected {redirectUri} with error={error}";
    });

    // ---- Checks ---------------------------------------------------------------------------------------------------

    private static string? ProblemBody(HostileOutcome o, string? error)
    {
        if (o.Header("Content-Type")?.StartsWith("application/problem+json", StringComparison.Ordinal) != true)
        {
            return $"Content-Type '{o.Header("Content-Type")}', expected application/problem+json";
        }

        if (o.Member("status") != o.Status.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return $"problem status {o.Member("status")}";
        }

        return error is null
            ? (o.Kind("error") == JsonValueKind.Undefined ? null : $"problem error {o.Member("error")}, expected none")
            : (o.Member("error") == error ? null : $"problem error {o.Member("error")}, expected {error}");
    }

    /// <summary>Each member equals its value (a <see langword="null"/> value: present and not empty).</summary>
    private static string? Members(HostileOutcome o, params (string Path, string? Value)[] members)
    {
        if (o.Json is null)
        {
            return $"body {Short(o.Body)} is not JSON";
        }

        foreach (var (path, value) in members)
        {
            var actual = o.Member(path);
            if (value is null ? string.IsNullOrEmpty(actual) : actual != value)
            {
                return $"{path} {actual ?? "absent"}, expected {value ?? "a value"} in {Short(o.Body)}";
            }
        }

        return null;
    }

    private static string? Number(HostileOutcome o, string name) => o.Kind(name) == JsonValueKind.Number ? null : $"{name} is {o.Kind(name)}, expected a number";

    private static string? String(HostileOutcome o, string name) => o.Kind(name) == JsonValueKind.String ? null : $"{name} is {o.Kind(name)}, expected a string";

    private static string? Null(HostileOutcome o, string name) => o.Kind(name) == JsonValueKind.Null ? null : $"{name} is {o.Kind(name)}, expected null";

    private static string Short(string body) => body.Length > 200 ? body[..200] + "…" : body;

    /// <summary>A parameter of an RFC 6750 challenge (quoted-string, RFC 9110 §5.6.4), unescaped.</summary>
    internal static string? ChallengeParameter(string challenge, string name)
    {
        foreach (Match m in ChallengeParameterRegex().Matches(challenge))
        {
            if (m.Groups[1].Value == name)
            {
                return Regex.Replace(m.Groups[2].Value, @"\\(.)", "$1");
            }
        }

        return null;
    }

    [GeneratedRegex(@"(?:^Bearer |, )([a-z_]+)=""((?:[^""\\]|\\.)*)""", RegexOptions.CultureInvariant)]
    private static partial Regex ChallengeParameterRegex();
}
