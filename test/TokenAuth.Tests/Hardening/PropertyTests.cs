using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace TokenAuth.Tests.Hardening;

/// <summary>
/// Properties under generated input (CsCheck; thousands of cases a run; a failure prints the seed that replays it): the
/// challenge builder, the sudo parser, the shape guard, the extractor and the form parser never throw, never accept two
/// different tokens, never write a header that is not RFC 9110, and round-trip what they should.
/// </summary>
public sealed partial class PropertyTests
{
    private const int Iterations = 5_000;

    /// <summary>Any character at all, weighted toward the ones that break headers and parsers.</summary>
    private static readonly Gen<char> Hostile = Gen.Frequency(
        (4, Gen.Char['!', '~']),
        (2, Gen.Char["\"\\ \t\r\n\0,=;:%&+"]),
        (1, Gen.Char),
        (1, Gen.Char['\u0080', '\uffff']));

    private static readonly Gen<string> HostileString = Gen.String[Hostile, 0, 80];

    [Fact]
    public void Challenge_IsAlwaysAnRfc9110Challenge_AndSaysWhatItWasGiven()
    {
        Gen.Select(HostileString, HostileString, HostileString, HostileString).Sample((error, description, uri, scope) =>
        {
            var header = TokenAuthHandler.BuildChallenge("Bearer", "api", error, description, uri, scope);

            Assert.Matches(Challenge(), header);
            var parameters = Parameters(header);
            foreach (var (name, given) in new[] { ("error", error), ("error_description", description), ("error_uri", uri), ("scope", scope) })
            {
                if (given.Length == 0)
                {
                    Assert.False(parameters.ContainsKey(name));
                    continue;
                }

                // Printable ASCII as given; anything else as '?'.
                Assert.Equal(new string([.. given.Select(c => c is >= ' ' and <= '~' ? c : '?')]), parameters[name]);
            }
        }, iter: Iterations);
    }

    [Fact]
    public void SudoParser_NeverThrows_AndWhatItReadsReadsBackTheSame_InAnyCaseOfTheKind()
    {
        var options = new SudoOptions();
        var kind = Gen.OneOf("uid", "UID", "Uid", "loginName", "LOGINNAME", "email", "Email", "mobile", "MOBILE", "username", "nonsense", string.Empty);
        var value = Gen.OneOf(HostileString, Gen.String[Gen.Char['a', 'z'], 1, 12]);
        var raw = Gen.OneOf(HostileString, Gen.Select(kind, value, (k, v) => k + ":" + v));
        raw.Sample(text =>
        {
            if (!SudoParser.TryParse(text, options, out var target, out _, out var error))
            {
                Assert.Null(target);
                Assert.False(string.IsNullOrEmpty(error));
                return;
            }

            Assert.NotNull(target);
            var again = SudoParser.Prefix(target.Kind) + ":" + target.Value;
            Assert.True(SudoParser.TryParse(again, options, out var reread, out _, out _), again);
            Assert.Equal(target, reread);
            Assert.True(SudoParser.TryParse(again.ToUpperInvariant()[..again.IndexOf(':', StringComparison.Ordinal)] + again[again.IndexOf(':', StringComparison.Ordinal)..], options, out var upper, out _, out _));
            Assert.Equal(target, upper);
        }, iter: Iterations);
    }

    [Fact]
    public void ShapeGuard_NeverThrows_AndAcceptsOnlyVisibleAsciiWithinTheBound()
    {
        Gen.String[Hostile, 0, 300].Sample(token =>
        {
            var refusal = TokenShape.Check(token, 200);
            var fits = token.Length is > 0 and <= 200 && token.All(c => c is >= '!' and <= '~');
            Assert.Equal(fits, refusal is null);
        }, iter: Iterations);
    }

    [Fact]
    public async Task Extractor_NeverThrows_NeverAcceptsTwoDifferentTokens()
    {
        // Few distinct tokens, so that sources often agree and often differ; values sometimes padded with spaces.
        var token = Gen.OneOf("tokA", "tokB", " tokA ", "tokC");
        var present = Gen.Bool;
        var gen = Gen.Select(Gen.Select(present, token), Gen.Select(present, token), Gen.Select(present, token), Gen.Select(present, token));
        var options = new TokenSourceOptions();
        await gen.SampleAsync(async sample =>
        {
            var ((hasAuth, auth), (hasHeader, header), (hasQuery, query), (hasForm, form)) = sample;
            var context = new DefaultHttpContext();
            var sent = new List<string>();
            if (hasAuth)
            {
                context.Request.Headers.Authorization = "Bearer " + auth;
                sent.Add(auth.Trim());
            }

            if (hasHeader)
            {
                context.Request.Headers["Access-Token"] = header;
                sent.Add(header.Trim());
            }

            if (hasQuery)
            {
                context.Request.QueryString = QueryString.Create("access_token", query);
                sent.Add(query.Trim());
            }

            if (hasForm)
            {
                context.Request.Method = HttpMethods.Post;
                context.Request.ContentType = "application/x-www-form-urlencoded";
                var body = Encoding.UTF8.GetBytes("access_token=" + Uri.EscapeDataString(form));
                context.Request.Body = new MemoryStream(body);
                context.Request.ContentLength = body.Length;
                sent.Add(form.Trim());
            }

            var result = await TokenExtractor.ExtractAsync(context, options, CancellationToken.None);

            var distinct = sent.Distinct(StringComparer.Ordinal).ToList();
            switch (distinct.Count)
            {
                case 0:
                    Assert.Null(result.Token);
                    Assert.Null(result.Error);
                    break;
                case 1:
                    Assert.Equal(distinct[0], result.Token);
                    Assert.Null(result.Error);
                    break;
                default:
                    Assert.Null(result.Token);
                    Assert.Equal(TokenExtractor.ConflictMessage, result.Error);
                    break;
            }
        }, iter: Iterations);
    }

    [Fact]
    public async Task FormParser_ReadsBackWhatAFormEncoderWrote()
    {
        var key = Gen.String[Gen.OneOf(Gen.Char['!', '~'], Gen.Char['\u00a0', '\u07ff']), 1, 12];
        var value = Gen.String[Gen.OneOf(Gen.Char[' ', '~'], Gen.Char['\u00a0', '\u07ff'], Gen.Char["\r\n\t"]), 0, 40];
        await Gen.Dictionary(key, value)[0, 8].SampleAsync(async fields =>
        {
            // Form field names are case-insensitive in ASP.NET Core (the endpoint's IFormCollection): "a" and "A" are one.
            if (fields.Keys.Distinct(StringComparer.OrdinalIgnoreCase).Count() != fields.Count)
            {
                return;
            }

            var body = await new FormUrlEncodedContent(fields).ReadAsStringAsync();

            var parsed = await BoundedFormReader.ParseAsync(body, 64 * 1024);

            Assert.Equal(fields.Count, parsed.Count);
            foreach (var (name, text) in fields)
            {
                Assert.Equal(new StringValues(text), parsed[name]);
            }
        }, iter: Iterations);
    }

    /// <summary>RFC 9110 §11.6.1 challenge with auth-params whose values are quoted-strings (§5.6.4) of printable ASCII.</summary>
    [GeneratedRegex("""^Bearer( [a-z_]+="(?:[\t !#-\[\]-~]|\\[\t -~])*"(, [a-z_]+="(?:[\t !#-\[\]-~]|\\[\t -~])*")*)?$""")]
    private static partial Regex Challenge();

    private static Dictionary<string, string> Parameters(string header)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match match in Parameter().Matches(header))
        {
            parameters[match.Groups[1].Value] = Regex.Replace(match.Groups[2].Value, @"\\(.)", "$1");
        }

        return parameters;
    }

    [GeneratedRegex("""([a-z_]+)="((?:[^"\\]|\\.)*)"(?:,|$)""")]
    private static partial Regex Parameter();
}
