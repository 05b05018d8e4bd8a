using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using TokenAuth.Tests.Infrastructure;
using TokenAuth.Tests.Server;
using Xunit.Abstractions;

namespace TokenAuth.Tests.Hostile;

/// <summary>
/// Issue 9's hostile-input corpus: every row of <see cref="HostileCorpus"/> sent through the real sample app (the
/// resource server and the token server together, on TestServer), one row after another, each answer checked whole —
/// status, challenge or profile error, and whom the pipeline authenticated. One fact, so that the summary line counts the
/// whole corpus; a mismatch names its row, what it expected and what it got, and every mismatch is listed at once.
/// </summary>
public sealed class HostileInputTests(ITestOutputHelper output, RunnerLog runner) : IClassFixture<RunnerLog>
{
    private static readonly TimeSpan RowTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Corpus_EveryRow_GetsTheAnswerTheRfcsAndSeedsCallFor()
    {
        var started = Stopwatch.GetTimestamp();
        var results = new List<HostileResult>();

        await using (var plain = new HostileSample(jwt: false))
        {
            var context = await StartAsync(plain);
            await ObtainPlainTokensAsync(context);
            results.AddRange(await RunAsync(context, HostileCorpus.Plain()));
            results.Add(CheckNoTokenLogged(context));
        }

        await using (var jwt = new HostileSample(jwt: true))
        {
            var context = await StartAsync(jwt);
            context["jwt.server"] = (await TokenAsync(context, ("grant_type", "client_credentials"), ("client_id", "demo-client"), ("client_secret", "demo-secret"))).AccessToken;
            context["jwt.admin"] = (await TokenAsync(context, ("grant_type", "client_credentials"), ("client_id", "admin-client"), ("client_secret", "admin-secret"))).AccessToken;
            results.AddRange(await RunAsync(context, HostileCorpus.Jwt()));
            results.Add(CheckNoTokenLogged(context));
        }

        var report = Report(results, Stopwatch.GetElapsedTime(started));
        foreach (var line in report)
        {
            output.WriteLine(line);
            Console.WriteLine(line);
            runner.WriteLine(line);
        }

        var failed = results.Where(r => r.Mismatches.Count > 0).ToList();
        Assert.True(failed.Count == 0, report[0] + "; these did not get the expected answer:\n" + string.Join('\n', failed.Select(Line)));
    }

    private static async Task<HostileContext> StartAsync(HostileSample app)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        return new HostileContext(app, client);
    }

    /// <summary>The tokens the plain app's rows use, from its own token endpoint, as the seeds' clients obtain them.</summary>
    private static async Task ObtainPlainTokensAsync(HostileContext context)
    {
        var demo = await TokenAsync(context, ("grant_type", "client_credentials"), ("client_id", "demo-client"), ("client_secret", "demo-secret"));
        context["demo"] = demo.AccessToken;
        context["demo.refresh"] = demo.RefreshToken!;
        context["read"] = (await TokenAsync(context, ("grant_type", "client_credentials"), ("client_id", "demo-client"), ("client_secret", "demo-secret"), ("scope", "read"))).AccessToken;
        context["demo2"] = (await TokenAsync(context, ("grant_type", "client_credentials"), ("client_id", "demo-client"), ("client_secret", "demo-secret"))).AccessToken;
        context["admin"] = (await TokenAsync(context, ("grant_type", "client_credentials"), ("client_id", "admin-client"), ("client_secret", "admin-secret"))).AccessToken;
        // Alice's own token, bound to her tenant t-100 (the password grant, as seed 003 documents it).
        context["alice"] = (await TokenAsync(context, ("grant_type", "password"), ("client_id", "demo-client"), ("client_secret", "demo-secret"), ("username", "alice"), ("password", "alice-password"))).AccessToken;
    }

    internal static async Task<(string AccessToken, string? RefreshToken)> TokenAsync(HostileContext context, params (string Name, string Value)[] fields)
    {
        using var request = Req.Post("/oauth/token").Form(fields);
        using var response = await context.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"setup: the token request failed: {(int)response.StatusCode} {body}");
        var json = System.Text.Json.JsonDocument.Parse(body).RootElement;
        return (json.GetProperty("access_token").GetString()!, json.TryGetProperty("refresh_token", out var refresh) ? refresh.GetString() : null);
    }

    /// <summary>Signs alice in on the sample's authorization endpoint and answers its consent page; returns the code.</summary>
    internal static async Task<string> AuthorizationCodeAsync(HostileContext context, string query)
    {
        var session = new PageSession(context.Client);
        var login = await session.GetAsync("/oauth/authorize?" + query);
        Assert.True(login.Status == System.Net.HttpStatusCode.OK, $"setup: expected the login page, got {(int)login.Status}: {login.Html}");
        var signedIn = await session.SubmitAsync(login, ("username", "alice"), ("password", "alice-password"));
        var consent = await session.GetAsync(signedIn.Location!);
        var answer = await session.SubmitAsync(consent, ("decision", "allow"));
        Assert.True(answer.Location is not null, $"setup: expected a redirect with a code, got {(int)answer.Status}: {answer.Html}");
        return PageSession.Parameters(new Uri(answer.Location!))["code"].ToString();
    }

    private static async Task<List<HostileResult>> RunAsync(HostileContext context, IEnumerable<HostileRow> rows)
    {
        var results = new List<HostileResult>();
        var index = 0;
        foreach (var row in rows)
        {
            var id = $"{row.Category}-{++index}";
            var outcome = await SendAsync(context, row, id);
            var mismatches = row.Expect.Mismatches(outcome).ToList();
            if (mismatches.Count == 0 && row.Then is not null)
            {
                row.Then(context, outcome);
            }

            if (mismatches.Count > 0)
            {
                mismatches.Insert(0, $"got {Describe(outcome)}");
            }

            results.Add(new HostileResult(row, outcome, mismatches));
        }

        return results;
    }

    private static async Task<HostileOutcome> SendAsync(HostileContext context, HostileRow row, string id)
    {
        var logged = context.App.Logs.Entries.Count;
        try
        {
            if (row.Before is not null)
            {
                await row.Before(context);
            }

            using var request = row.Request(context);
            request.Headers.TryAddWithoutValidation(HostileSample.RowHeader, id);
            using var timeout = new CancellationTokenSource(RowTimeout);
            using var response = await context.Client.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, values) in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
            {
                headers[name] = string.Join(", ", values);
            }

            return new HostileOutcome((int)response.StatusCode, headers, body, Probe(context, id), Errors(context, logged), null);
        }
#pragma warning disable CA1031 // A row that throws is a mismatch to report with the others, not the end of the corpus.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return HostileOutcome.Threw(ex, Errors(context, logged), Probe(context, id));
        }
    }

    private static HostileSample.Probe? Probe(HostileContext context, string id) => context.App.Probes.TryGetValue(id, out var probe) ? probe : null;

    private static List<string> Errors(HostileContext context, int logged)
        => [.. context.App.Logs.Entries.Skip(logged).Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Level} {e.Category}: {e.Text.ReplaceLineEndings(" ")}")];

    /// <summary>README "Security notes": no token the server issued reaches a log line, whatever the rows sent.</summary>
    private static HostileResult CheckNoTokenLogged(HostileContext context)
    {
        var text = context.App.Logs.TextOutsideHostingRequestLines;
        var leaked = context.Values.Where(v => v.Length >= 20 && text.Contains(v, StringComparison.Ordinal)).ToList();
        var row = new HostileRow("logs", "no issued token in any log line", _ => throw new InvalidOperationException(), Expect.Status(0));
        return new HostileResult(row, null, leaked.Count == 0 ? [] : [$"{leaked.Count} issued token(s) found in the logs"]);
    }

    private static string Describe(HostileOutcome o)
    {
        if (o.Exception is not null)
        {
            return o.Exception;
        }

        var text = new StringBuilder().Append(o.Status);
        if (o.Header("WWW-Authenticate") is { } challenge)
        {
            text.Append(" WWW-Authenticate: ").Append(challenge);
        }

        if (o.Header("Location") is { } location)
        {
            text.Append(" Location: ").Append(location);
        }

        if (o.Body.Length > 0)
        {
            text.Append(' ').Append((o.Body.Length > 240 ? o.Body[..240] + "…" : o.Body).ReplaceLineEndings(" "));
        }

        if (o.Probe is { Authenticated: true } p)
        {
            text.Append(" [authenticated as ").Append(p.Subject).Append(']');
        }

        return text.ToString();
    }

    private static string Line(HostileResult result)
    {
        var known = result.Row.KnownBug is { } bug ? $" [known: {bug}]" : result.Row.Finding is { } finding ? $" [open: {finding}]" : string.Empty;
        return $"  ✗ {result.Row.Category}: {result.Row.Name}{known} — expected {result.Row.Expect.Summary}; {string.Join("; ", result.Mismatches)}";
    }

    private static List<string> Report(List<HostileResult> results, TimeSpan elapsed)
    {
        // The logs check is not an input: it is reported, not counted.
        var inputs = results.Where(r => r.Row.Category != "logs").ToList();
        var lines = new List<string>
        {
            $"hostile inputs: {inputs.Count} tried, {inputs.Count(r => r.Mismatches.Count == 0)} as expected",
            "  by category: " + string.Join(", ", inputs.GroupBy(r => r.Row.Category).Select(g => $"{g.Key} {g.Count(r => r.Mismatches.Count == 0)}/{g.Count()}")),
            $"  {inputs.Count(r => r.Outcome is { } o && (o.Status >= 500 || o.Exception is not null) && !r.Row.Expect.Allows(o.Status))} answered 5xx or threw; "
                + $"{inputs.Count(r => r.Outcome is { Status: >= 200 and < 300 } o && r.Mismatches.Count > 0 && !r.Row.Expect.Allows(o.Status))} answered an unexpected 2xx; "
                + $"{inputs.Count(r => r.Mismatches.Count > 0 && r.Row.KnownBug is not null)} mismatches are known bugs being fixed elsewhere, "
                + $"{inputs.Count(r => r.Mismatches.Count > 0 && r.Row.Finding is not null)} are bugs this corpus found and left open; {elapsed.TotalSeconds:F1} s",
        };
        lines.AddRange(results.Where(r => r.Mismatches.Count > 0).Select(Line));
        return lines;
    }
}

/// <summary>A row, what it got, and how that differs from what it expected (nothing: as expected).</summary>
internal sealed record HostileResult(HostileRow Row, HostileOutcome? Outcome, List<string> Mismatches);
