using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Hostile;

/// <summary>
/// The real sample app (its Program, appsettings.json, token server profiles, demo users and tenants) through
/// <see cref="WebApplicationFactory{TEntryPoint}"/>, as <c>SampleAppTests</c> starts it, with three test-only additions:
/// every log line captured; a transport shim for what HttpClient will not send (see <see cref="Transport"/>); a probe that records, per request, whom the pipeline had authenticated once it had answered
/// (so that "nothing was authenticated that should not be" is checked on the principal, not guessed from a status);
/// and one more client whose secret holds colons. With <c>jwt</c>, the sample's token server signs RS256 access
/// tokens (<c>typ: at+jwt</c>) and TokenAuth validates JWTs with the public key as RFC 9068 §4 asks of a resource
/// server (issuer, audience, <c>typ</c>), on a fake clock so that lifetimes can be tested to the second.
/// </summary>
internal sealed class HostileSample : WebApplicationFactory<Program>
{
    public const string RowHeader = "X-Hostile-Row";
    public const string RawHeader = "X-Hostile-Raw";
    public const string BodyFaultHeader = "X-Hostile-Body-Fault";
    public const string ColonClient = "colon-client";
    public const string ColonSecret = "pa:ss:word";
    public const string Issuer = "https://tokenauth.sample.test";
    public const string Audience = "api://tokenauth-sample";
    public const string KeyId = "sample-rsa-1";

    private readonly bool _jwt;

    public HostileSample(bool jwt)
    {
        _jwt = jwt;
        if (jwt)
        {
            SigningKey = new RsaSecurityKey(RSA.Create(2048)) { KeyId = KeyId };
            Time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        }
    }

    /// <summary>Every log line the app wrote, through the sample's own log filters.</summary>
    public LogSink Logs { get; } = new();

    /// <summary>Whom each request (by its <see cref="RowHeader"/>) was authenticated as when the pipeline had answered.</summary>
    public ConcurrentDictionary<string, Probe> Probes { get; } = new(StringComparer.Ordinal);

    /// <summary>The token server's signing key (private part included), with <c>jwt</c>.</summary>
    public RsaSecurityKey? SigningKey { get; }

    /// <summary>The clock of the JWT app.</summary>
    public FakeTimeProvider? Time { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Appended to the sample's five clients: RFC 7617 §2 lets a password (here, a client secret) hold colons.
            ["TokenServer:Clients:5:ClientId"] = ColonClient,
            ["TokenServer:Clients:5:ClientSecret"] = ColonSecret,
            ["TokenServer:Clients:5:AllowedGrantTypes:0"] = GrantTypes.ClientCredentials,
            ["TokenServer:Clients:5:AllowedScopes:0"] = "read",
            // The sample's throttle, 10 failures a client, refilled over an hour instead of a minute: the throttling rows
            // must not depend on when a permit comes back (the corpus spends about 40 failures of its 100 per address).
            ["TokenServer:FailedAuthentication:Window"] = "01:00:00",
        }));
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IStartupFilter>(new ProbeFilter(Probes));
            if (!_jwt)
            {
                return;
            }

            services.AddSingleton<TimeProvider>(Time!);
            services.PostConfigure<TokenServerOptions>(o =>
            {
                o.SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.RsaSha256);
                o.Issuer = Issuer;
                o.Audience = Audience;
            });
            services.Configure<TokenAuthOptions>(TokenAuthDefaults.AuthenticationScheme, o => o.Jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = Issuer,
                ValidAudience = Audience,
                IssuerSigningKey = new RsaSecurityKey(SigningKey!.Rsa.ExportParameters(includePrivateParameters: false)) { KeyId = KeyId },
                // RFC 9068 §4: a resource server refuses a JWT whose typ is not at+jwt (or application/at+jwt), so that
                // an ID token (RFC 8725 §3.11) signed by the same issuer is not taken for an access token.
                ValidTypes = ["at+jwt", "application/at+jwt"],
            });
        });
    }

    /// <summary>Whom a request was authenticated as.</summary>
    internal sealed record Probe(bool Authenticated, string? Subject, string? ClientId, string? TenantId, string? Act, IReadOnlyList<string> Scopes)
    {
        public static Probe From(ClaimsPrincipal user) => new(
            user.Identity?.IsAuthenticated == true,
            user.FindFirst(TokenAuthClaimTypes.Subject)?.Value,
            user.FindFirst(TokenAuthClaimTypes.ClientId)?.Value,
            user.FindFirst(TokenAuthClaimTypes.TenantId)?.Value,
            user.FindFirst(TokenAuthClaimTypes.Actor)?.Value,
            [.. user.FindAll(TokenAuthClaimTypes.Scope).Select(c => c.Value)]);
    }

    /// <summary>
    /// What a raw HTTP/1.1 client can make Kestrel hand to the app but HttpClient will not send over TestServer: a header
    /// value exactly as given (HttpClient re-formats <c>Authorization: Bearer&lt;TAB&gt;t</c> as <c>Bearer t</c> and drops
    /// empty values), and a body that ends in Kestrel's <see cref="BadHttpRequestException"/> (a client that stops sending
    /// before its Content-Length, or too slowly). Applied before the sample's pipeline, which then runs unchanged.
    /// </summary>
    private static class Transport
    {
        public static void Apply(HttpContext context)
        {
            var headers = context.Request.Headers;
            foreach (var raw in headers[RawHeader].ToArray())
            {
                var colon = raw!.IndexOf(':', StringComparison.Ordinal);
                var name = raw[..colon];
                var value = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(raw[(colon + 1)..]));
                headers[name] = Microsoft.Extensions.Primitives.StringValues.Concat(headers[name], value);
            }

            if (headers[BodyFaultHeader].ToString() is { Length: > 0 } status)
            {
                context.Request.Body = new FaultingBody(context.Request.Body, int.Parse(status, System.Globalization.CultureInfo.InvariantCulture));
            }

            headers.Remove(RawHeader);
            headers.Remove(BodyFaultHeader);
        }
    }

    /// <summary>The request body as Kestrel gives it when the client stops early (400) or stalls (408): the bytes that came, then the fault.</summary>
    private sealed class FaultingBody(Stream inner, int status) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return read > 0 ? read : throw new BadHttpRequestException(
                status == StatusCodes.Status408RequestTimeout ? "Reading the request body timed out due to data arriving too slowly." : "Unexpected end of request content.", status);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>The outermost middleware: after the sample's pipeline has answered, records its principal.</summary>
    private sealed class ProbeFilter(ConcurrentDictionary<string, Probe> probes) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, inner) =>
            {
                Transport.Apply(context);
                try
                {
                    await inner(context);
                }
                finally
                {
                    if (context.Request.Headers[RowHeader].ToString() is { Length: > 0 } row)
                    {
                        probes[row] = Probe.From(context.User);
                    }
                }
            });
            next(app);
        };
    }
}
