using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Hardening;

/// <summary>
/// Properties under generated input (CsCheck; thousands of cases a run; a failure prints the seed that replays it) for
/// the parsers that read what a client chose to send: the tenant value check (through the real pipeline), the token
/// server's request readers of every built-in profile (form, JSON, query), and the bounded body reader. None throws; each
/// accepts exactly what its documented rule allows and refuses the rest as the client's fault (400/413, RFC 6749
/// <c>invalid_request</c>); what a client encodes correctly is read back unchanged.
/// </summary>
public sealed class ProfilePropertyTests
{
    private const int Iterations = 5_000;

    /// <summary>Fewer for properties that send each case through a whole host.</summary>
    private const int PipelineIterations = 2_000;

    /// <summary>Any UTF-16 text that is valid Unicode (no lone surrogates), weighted toward what breaks parsers.</summary>
    private static readonly Gen<char> Hostile = Gen.Frequency(
        (4, Gen.Char['!', '~']),
        (2, Gen.Char[" \t\r\n\0\u0085\u00a0\u2028\u3000,=;:%&+\"\\{}[]"]),
        (1, Gen.Char['\0', '\u001f']),
        (1, Gen.Char['\u0080', '\ud7ff']),
        (1, Gen.Char['\ue000', '\uffff']));

    // ---- (a) the tenant value: README "Sudo and tenants" ------------------------------------------------------------

    [Fact]
    public async Task TenantValue_NeverA500_400ExactlyWhenTheDocumentedRuleRefusesIt_ElseTheStoreGetsItTrimmed_CaseKept()
    {
        await using var app = await TenantApp();
        var store = (RecordingTenantStore)app.Services.GetRequiredService<ITenantStore>();
        var token = await app.IssueAsync(new TokenInfo { Subject = "user-1", Scopes = ["sudo"] });
        var byCode = Gen.Bool;
        var value = Gen.Frequency(
            (3, Gen.String[Hostile, 0, 20]),
            (1, Gen.String[Gen.Char['a', 'z'], 120, 140]),
            (1, Gen.Select(Gen.String[Gen.Char[" \t\u3000"], 0, 3], Gen.String[Gen.Char['A', 'z'], 1, 8], (pad, v) => pad + v + pad)));

        await Gen.Select(byCode, value).SampleAsync(async sample =>
        {
            var (code, raw) = sample;
            var name = code ? "tenantCode" : "tenantId";
            store.Received.Clear();

            using var response = await app.Client.SendAsync(TestApp.Get($"/protected?{name}={Uri.EscapeDataString(raw)}", token));

            // README: "an empty, control-character or over-long (> 128) tenant value" is a 400; values are trimmed first.
            var trimmed = raw.Trim();
            var allowed = trimmed.Length is > 0 and <= 128 && !trimmed.Any(char.IsControl);
            if (!allowed)
            {
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}={Escape(raw)}: {(int)response.StatusCode}, not 400");
                Assert.Contains("invalid_request", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
                Assert.Empty(store.Received);
                return;
            }

            // The store (which finds every tenant) answers: the value reached it as given, trimmed, its case untouched.
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{name}={Escape(raw)}: {(int)response.StatusCode}, not 200");
            Assert.True(store.Received.Count == 1, $"{name}={Escape(raw)}: the store was asked {store.Received.Count} time(s)");
            Assert.Equal((code, trimmed), store.Received.Single());
        }, iter: PipelineIterations, threads: 1);   // one at a time: the store's record is shared
    }

    [Fact]
    public async Task TenantValue_InQueryAndHeader_IsOneTenantExactlyWhenTheTrimmedValuesAreOrdinallyEqual()
    {
        await using var app = await TenantApp();
        var token = await app.IssueAsync(new TokenInfo { Subject = "user-1", Scopes = ["sudo"] });
        var word = Gen.String[Gen.OneOf(Gen.Char['a', 'z'], Gen.Char['A', 'Z'], Gen.Char['0', '9'], Gen.Const('-')), 1, 12];
        // The other value: the same, the same in another case, the same padded with spaces, or another word.
        var pair = word.SelectMany(v => Gen.OneOf(
            Gen.Const((v, v)),
            Gen.Const((v, v.ToUpperInvariant())),
            Gen.Const((v, v.ToLowerInvariant())),
            Gen.Const((v, " " + v + "  ")),
            word.Select(w => (v, w))));

        await pair.SampleAsync(async sample =>
        {
            var (query, header) = sample;
            using var request = TestApp.Get($"/protected?tenantCode={Uri.EscapeDataString(query)}", token);
            request.Headers.Add("Tenant-Code", header);

            using var response = await app.Client.SendAsync(request);

            // Case matters to TokenAuth (ordinal): whether "Acme" and "acme" are one tenant is the store's to say.
            var same = string.Equals(query.Trim(), header.Trim(), StringComparison.Ordinal);
            Assert.True(response.StatusCode == (same ? HttpStatusCode.OK : HttpStatusCode.BadRequest), $"'{query}' and '{header}': {(int)response.StatusCode}");
        }, iter: PipelineIterations);
    }

    private static Task<TestApp> TenantApp() => TestApp.StartAsync(
        o =>
        {
            o.UseTokenStore = true;
            o.Tenants.Headers = true;
            // Every value is asked for: a cached tenant would hide what the store was given.
            o.Tenants.CacheDuration = TimeSpan.Zero;
        },
        services: s => s.AddTokenAuthTenants<RecordingTenantStore>(ServiceLifetime.Singleton));

    /// <summary>Finds a tenant for every id and code (named after it), and records what it was given.</summary>
    private sealed class RecordingTenantStore : ITenantStore
    {
        public ConcurrentQueue<(bool ByCode, string Value)> Received { get; } = new();

        public ValueTask<TenantInfo?> FindByIdAsync(string id, CancellationToken cancellationToken)
        {
            Received.Enqueue((false, id));
            return ValueTask.FromResult<TenantInfo?>(new TenantInfo(id, "code-of-" + id, id));
        }

        public ValueTask<TenantInfo?> FindByCodeAsync(string code, CancellationToken cancellationToken)
        {
            Received.Enqueue((true, code));
            return ValueTask.FromResult<TenantInfo?>(new TenantInfo("id-of-" + code, code, code));
        }
    }

    // ---- (b) the token server's request readers, every built-in profile ----------------------------------------------

    /// <summary>Every built-in profile: RFC 6749/7009/7662 and each seed's shape.</summary>
    private static readonly ServerEndpoint[] Endpoints =
    [
        .. new[]
        {
            TokenServerProfiles.Token(), TokenServerProfiles.Revoke(), TokenServerProfiles.Introspect(),
            TokenServerProfiles.QueryStringToken("/q/token"), TokenServerProfiles.QueryStringCheck("/q/check"),
            TokenServerProfiles.QueryStringRevoke("/q/revoke"), TokenServerProfiles.CamelCaseJsonToken("/json/token"),
            TokenServerProfiles.ResultEnvelopeToken("/envelope/token"), TokenServerProfiles.CodeMessageEnvelopeToken("/code/token"),
        }.Select(p => new ServerEndpoint(p)),
    ];

    private static readonly string[] ContentTypes =
    [
        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8", "application/x-www-form-urlencoded; charset=latin1",
        "application/json", "application/json; charset=\"UTF-8\"", "application/vnd.api+json", "application/json; charset=utf-16",
        "text/plain", "multipart/form-data; boundary=x", "application/", ";;", string.Empty,
    ];

    [Fact]
    public async Task ProfileReader_UnderAnyRequest_NeverThrows_AndReadsAWellFormedRequestOrRefusesItAsInvalidRequest()
    {
        const int bound = 2048;
        var name = Gen.OneOf(Gen.OneOf(ServerEndpoint.KnownParameters.Select(Gen.Const).ToArray()), Gen.OneOf("clientId", "clientSecret", "grantType", "userId", "GRANT_TYPE", "x"), Gen.String[Hostile, 0, 6]);
        var text = Gen.String[Hostile, 0, 24];
        var formBody = Gen.Select(name, text).Array[0, 8].Select(fields => string.Join(Gen.OneOf("&", "&&", ";").Single(), fields.Select(f => Uri.EscapeDataString(f.Item1) + "=" + Uri.EscapeDataString(f.Item2))));
        var jsonBody = Gen.Select(name, Gen.OneOf(text.Select(t => JsonSerializer.Serialize(t)), Gen.OneOf("1", "-2.5e3", "null", "true", "[]", "{}", "{\"a\":{\"b\":[[[[[[[[1]]]]]]]]}}")))
            .Array[0, 6].Select(members => "{" + string.Join(",", members.Select(m => JsonSerializer.Serialize(m.Item1) + ":" + m.Item2)) + "}");
        var body = Gen.Frequency(
            (3, formBody.Select(Encoding.UTF8.GetBytes)),
            (3, jsonBody.Select(Encoding.UTF8.GetBytes)),
            (1, Gen.String[Hostile, 0, 60].Select(Encoding.UTF8.GetBytes)),
            (1, Gen.Byte.Array[0, 60]),
            (1, Gen.Const(new byte[bound + 1])));
        var query = Gen.Select(name, text).Array[0, 5].Select(fields => QueryString.Create(fields.Select(f => new KeyValuePair<string, string?>(f.Item1, f.Item2))));
        var method = Gen.OneOf("POST", "GET", "PUT", "HEAD");
        var contentType = Gen.OneOf(Gen.OneOf(ContentTypes.Select(Gen.Const).ToArray()), Gen.Const((string?)null));
        var endpoint = Gen.OneOf(Endpoints.Select(Gen.Const).ToArray());

        await Gen.Select(endpoint, method, contentType, body, query, Gen.Bool).SampleAsync(async sample =>
        {
            var (target, verb, type, bytes, queryString, withLength) = sample;
            var context = new DefaultHttpContext();
            context.Request.Method = verb;
            context.Request.QueryString = queryString;
            context.Request.ContentType = type;
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = withLength || bytes.Length == 0 ? bytes.Length : null;
            if (!withLength && bytes.Length > 0)
            {
                context.Request.Headers.TransferEncoding = "chunked";
            }

            var (request, error) = await ProtocolRequestReader.ReadAsync(context, target, bound);

            Assert.True((request is null) != (error is null), "exactly one of a request and an error");
            if (error is not null)
            {
                Assert.Equal(OAuthErrors.InvalidRequest, error.Error);
                Assert.True(error.StatusCode is 400 or 413, $"status {error.StatusCode}");
                Assert.False(string.IsNullOrEmpty(error.Description));
                return;
            }

            // Well-formed: canonical names only, each once, each with a value (RFC 6749 §3.1: an empty one is absent).
            Assert.All(request!.Parameters, p =>
            {
                Assert.Contains(p.Key, ServerEndpoint.KnownParameters);
                Assert.NotEqual(string.Empty, p.Value);
            });
        }, iter: Iterations);
    }

    [Fact]
    public async Task ProfileReader_ReadsBackWhatAClientOfTheProfileEncoded()
    {
        // Values a client may send: any valid Unicode but NUL (refused as ASP.NET Core's form reader refuses %00).
        var value = Gen.String[Gen.Frequency((4, Gen.Char[' ', '~']), (1, Gen.Char["\t\r\n+&=%;\u00a0"]), (1, Gen.Char['\u0080', '\ud7ff'])), 1, 30];
        var parameters = Gen.Dictionary(Gen.OneOf(ServerEndpoint.KnownParameters.Select(Gen.Const).ToArray()), value)[0, 8];
        var endpoint = Gen.OneOf(Endpoints.Select(Gen.Const).ToArray());

        await Gen.Select(endpoint, parameters).SampleAsync(async sample =>
        {
            var (target, sent) = sample;
            var profile = target.Profile;
            var wire = sent.Select(p => new KeyValuePair<string, string>(profile.WireName(p.Key), p.Value)).ToList();
            var context = new DefaultHttpContext();
            context.Request.Method = HttpMethods.Post;
            if (profile.Parameters.HasFlag(ParameterLocations.Form))
            {
                SetBody(context, "application/x-www-form-urlencoded", await new FormUrlEncodedContent(wire).ReadAsByteArrayAsync());
            }
            else if (profile.Parameters.HasFlag(ParameterLocations.Json))
            {
                SetBody(context, "application/json", JsonSerializer.SerializeToUtf8Bytes(wire.ToDictionary(p => p.Key, p => p.Value)));
            }
            else
            {
                context.Request.QueryString = QueryString.Create(wire.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)));
            }

            var (request, error) = await ProtocolRequestReader.ReadAsync(context, target, 64 * 1024);

            Assert.True(error is null, $"{profile.Name}: {error?.Description}");
            Assert.Equal(sent.OrderBy(p => p.Key, StringComparer.Ordinal), request!.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal));
        }, iter: Iterations);
    }

    private static void SetBody(HttpContext context, string contentType, byte[] body)
    {
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
    }

    // ---- (c) the bounded body reader ----------------------------------------------------------------------------------

    [Fact]
    public async Task BoundedReader_NeverReadsPastItsBound_AndAnswersTextTooLargeNotUtf8OrTheClientsFault()
    {
        var utf8Text = Gen.String[Hostile, 0, 300].Select(Encoding.UTF8.GetBytes);
        var bytes = Gen.OneOf(utf8Text, Gen.Byte.Array[0, 300]);
        // A body the server stops receiving: cut short (400) or sent too slowly (408), after some of it arrived.
        var fault = Gen.OneOf(Gen.Const(0), Gen.Const(StatusCodes.Status400BadRequest), Gen.Const(StatusCodes.Status408RequestTimeout));
        var declared = Gen.OneOf(Gen.Const(Declared.Exact), Gen.Const(Declared.None), Gen.Const(Declared.Larger));

        await Gen.Select(bytes, Gen.Int[1, 256], fault, declared, Gen.Int[1, 64]).SampleAsync(async sample =>
        {
            var (body, bound, clientFault, length, chunk) = sample;
            var stream = new CountingStream(body, chunk, clientFault);
            var context = new DefaultHttpContext();
            context.Request.Method = HttpMethods.Post;
            context.Request.Body = stream;
            context.Request.ContentLength = length switch
            {
                Declared.Exact => body.Length,
                Declared.Larger => body.Length + bound + 1,
                _ => null,
            };

            var result = await BoundedFormReader.ReadStringAsync(context.Request, bound, CancellationToken.None);

            // At most one byte past the bound is read: the one that tells "too large" from "exactly the bound".
            Assert.True(stream.BytesRead <= bound + 1, $"read {stream.BytesRead} bytes with a bound of {bound}");
            if (length == Declared.Larger)
            {
                // A declared length over the bound is refused unread.
                Assert.Equal(0, stream.BytesRead);
                Assert.True(result.TooLarge);
                return;
            }

            var faulted = clientFault != 0 && stream.Faulted;
            if (faulted)
            {
                Assert.Null(result.Text);
                Assert.Equal(clientFault, result.ClientFault);
                return;
            }

            Assert.Equal(0, result.ClientFault);
            if (body.Length > bound)
            {
                Assert.Null(result.Text);
                Assert.True(result.TooLarge);
                return;
            }

            Assert.False(result.TooLarge);
            var utf8 = IsUtf8(body);
            Assert.Equal(utf8 ? Encoding.UTF8.GetString(body) : null, result.Text);
            // Rewound: the endpoint reads the same body again.
            Assert.Equal(0, context.Request.Body.Position);
        }, iter: Iterations);
    }

    [Fact]
    public async Task BoundedFormReader_UnderAnyBody_NeverThrows_FieldsOrTooLargeOrMalformed()
    {
        var body = Gen.OneOf(
            Gen.String[Gen.OneOf(Hostile, Gen.Char["%&=+"]), 0, 200].Select(Encoding.UTF8.GetBytes),
            Gen.Byte.Array[0, 200],
            Gen.Int[250, 300].Select(n => Encoding.ASCII.GetBytes(string.Join("&", Enumerable.Range(0, n).Select(i => $"k{i}=v")))));

        await Gen.Select(body, Gen.Int[1, 4096]).SampleAsync(async sample =>
        {
            var (bytes, bound) = sample;
            var context = new DefaultHttpContext();
            SetBody(context, "application/x-www-form-urlencoded", bytes);

            var result = await BoundedFormReader.ReadAsync(context.Request, bound, CancellationToken.None);

            // Exactly one outcome: fields, too large (over the bound or the reader's limits), or not UTF-8.
            Assert.Equal(1, (result.Fields is not null ? 1 : 0) + (result.TooLarge ? 1 : 0) + (result.Malformed ? 1 : 0));
            if (bytes.Length > bound)
            {
                Assert.True(result.TooLarge);
            }
            else if (!IsUtf8(bytes))
            {
                Assert.True(result.Malformed);
            }
        }, iter: Iterations);
    }

    private enum Declared
    {
        Exact,
        None,
        Larger,
    }

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static string Escape(string value) => JsonSerializer.Serialize(value);

    /// <summary>
    /// A request body that hands out at most <c>chunk</c> bytes a read and counts what was read; with a fault status,
    /// throws the server's <see cref="BadHttpRequestException"/> once half of it was read, as Kestrel does for a body cut
    /// short (400) or sent too slowly (408).
    /// </summary>
    private sealed class CountingStream(byte[] body, int chunk, int faultStatus) : Stream
    {
        public int BytesRead { get; private set; }

        public bool Faulted { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (faultStatus != 0 && BytesRead >= body.Length / 2)
            {
                Faulted = true;
                throw new BadHttpRequestException("The client did not send the whole body.", faultStatus);
            }

            var n = Math.Min(Math.Min(chunk, buffer.Length), body.Length - BytesRead);
            body.AsSpan(BytesRead, n).CopyTo(buffer.Span);
            BytesRead += n;
            return ValueTask.FromResult(n);
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
