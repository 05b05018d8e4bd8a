using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Seeds;

/// <summary>
/// The real sample app — its Program, appsettings.json and in-memory store — on TestServer, with a fake clock so that
/// lifetimes, remaining seconds and timestamps are exact. Each test class gets its own app (and so its own throttle).
/// </summary>
public class SampleFactory : WebApplicationFactory<Program>
{
    public static DateTimeOffset Start { get; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The clock of every part of the app: the token server, the store and the authentication handler.</summary>
    public FakeTimeProvider Time { get; } = new(Start);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
        => builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            ConfigureServices(services);
        });

    /// <summary>Asserts that a token issued just now is accepted until <paramref name="lifetime"/> has passed, and refused from then on.</summary>
    public async Task AssertLifetimeAsync(TimeSpan lifetime, Func<Task<HttpStatusCode>> meStatus)
    {
        Time.Advance(lifetime - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, await meStatus());
        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await meStatus());
    }

    /// <summary>Further test services, registered after the sample's own (so they replace them).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }
}

/// <summary>The sample on a real Kestrel socket, for requests written byte for byte as a document writes them.</summary>
public sealed class KestrelSampleFactory : WebApplicationFactory<Program>
{
    public KestrelSampleFactory() => UseKestrel();

    /// <summary>Configuration the sample starts with beside its appsettings.json, e.g. <c>("ConnectionStrings:Redis", …)</c>.</summary>
    public IReadOnlyList<(string Key, string Value)> Settings { get; init; } = [];

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        builder.UseFreeLoopbackPort();
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Where the server listens (started on first use).</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            return new Uri(addresses.Addresses.First());
        }
    }
}

/// <summary>The demo records of the sample's appsettings.json, and requests and assertions the seed tests share.</summary>
internal static class Seed
{
    public const string DemoClient = "demo-client";
    public const string DemoSecret = "demo-secret";
    public const string AdminClient = "admin-client";
    public const string AdminSecret = "admin-secret";
    public const string ResourceServer = "resource-server";
    public const string ResourceSecret = "resource-secret";
    public const string ServiceClient = "service-client";

    /// <summary>service-client's generated secret; appsettings.json holds only its SHA-256 hash.</summary>
    public const string ServiceSecret = "JL0qIeVLjuT72IZ-sjzAGeOhm61xQ_Vcvxr6qcZfsrs";

    /// <summary>More than the server's 16 KiB request body bound.</summary>
    public const int OversizedLength = 17 * 1024;

    /// <summary><c>Authorization: Basic base64(clientId:clientSecret)</c>, as seed 003 writes it.</summary>
    public static AuthenticationHeaderValue Basic(string clientId, string clientSecret)
        => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(clientId + ":" + clientSecret)));

    /// <summary>A request with headers added as given, without HttpClient reformatting them.</summary>
    public static HttpRequestMessage Request(HttpMethod method, string uri, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, uri);
        foreach (var (name, value) in headers)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, value), name);
        }

        return request;
    }

    public static HttpContent Form(params (string Name, string Value)[] fields)
        => new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    public static HttpContent Json(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    /// <summary>A form whose one field makes it larger than the server reads.</summary>
    public static HttpContent OversizedForm() => Form(("grant_type", "client_credentials"), ("padding", new string('x', OversizedLength)));

    /// <summary>
    /// Sends and reads a JSON answer of the token server: the expected status (never a 500), <c>application/json</c>,
    /// never cached (RFC 6749 §5.1).
    /// </summary>
    public static async Task<JsonElement> SendJsonAsync(HttpClient client, HttpRequestMessage request, HttpStatusCode status)
    {
        using (request)
        {
            using var response = await client.SendAsync(request);
            return await JsonAsync(response, status);
        }
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore, "Cache-Control: no-store");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts that <paramref name="json"/> is an object with exactly these members, each of this JSON type.</summary>
    public static void AssertMembers(JsonElement json, params (string Name, JsonValueKind Kind)[] members)
    {
        Assert.Equal(JsonValueKind.Object, json.ValueKind);
        Assert.Equal(members.Select(m => m.Name).Order(StringComparer.Ordinal), json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var (name, kind) in members)
        {
            var actual = json.GetProperty(name).ValueKind;
            Assert.True(actual == kind, $"'{name}' is {actual}, expected {kind}: {json}");
        }
    }

    /// <summary>An RFC 6749 §5.2 error: exactly <c>error</c> and its description (<c>errorDescription</c> in camelCase).</summary>
    public static void AssertOAuthError(JsonElement json, string error, string descriptionMember = "error_description")
    {
        AssertMembers(json, ("error", JsonValueKind.String), (descriptionMember, JsonValueKind.String));
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty(descriptionMember).GetString()));
    }

    /// <summary>A client_credentials token from the RFC 6749 endpoint (form body), asserting success.</summary>
    public static async Task<string> RfcTokenAsync(HttpClient client, string clientId, string clientSecret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = Form(("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", clientSecret)),
        };
        return (await SendJsonAsync(client, request, HttpStatusCode.OK)).GetProperty("access_token").GetString()!;
    }

    /// <summary>RFC 7662 introspection with HTTP Basic client authentication (resource-server by default).</summary>
    public static Task<JsonElement> IntrospectAsync(HttpClient client, string token, string clientId = ResourceServer, string clientSecret = ResourceSecret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/introspect") { Content = Form(("token", token)) };
        request.Headers.Authorization = Basic(clientId, clientSecret);
        return SendJsonAsync(client, request, HttpStatusCode.OK);
    }

    /// <summary><c>/api/me</c> as the request sends the token; asserts 200 and answers who the token says the caller is.</summary>
    public static async Task<JsonElement> MeAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"/api/me: {(int)response.StatusCode} {text}");
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
    }

    /// <summary><c>/api/me</c> with <c>Authorization: Bearer</c>; asserts 200.</summary>
    public static Task<JsonElement> MeAsync(HttpClient client, string token)
        => MeAsync(client, Request(HttpMethod.Get, "/api/me", ("Authorization", "Bearer " + token)));

    /// <summary>The status of <c>/api/me</c> with <c>Authorization: Bearer</c>; a refused token also gets the RFC 6750 challenge.</summary>
    public static async Task<HttpStatusCode> MeStatusAsync(HttpClient client, string token)
    {
        using var request = Request(HttpMethod.Get, "/api/me", ("Authorization", "Bearer " + token));
        using var response = await client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        return response.StatusCode;
    }
}

/// <summary>HTTP/1.1 over a plain socket: the request goes out byte for byte as written, headers unnormalised.</summary>
internal static class RawHttp
{
    public sealed record Answer(int Status, string Head, string Body)
    {
        public JsonElement Json()
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
    }

    /// <summary>Sends the request line and header lines as given (plus <c>Host</c> and <c>Connection: close</c>) and reads the answer.</summary>
    public static async Task<Answer> SendAsync(Uri server, string requestLine, params string[] headerLines)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port, timeout.Token);
        await using var stream = tcp.GetStream();
        var head = new StringBuilder().Append(requestLine).Append("\r\n").Append("Host: ").Append(server.Authority).Append("\r\n");
        foreach (var line in headerLines)
        {
            head.Append(line).Append("\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), timeout.Token);

        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        var text = Encoding.UTF8.GetString(received.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, "no HTTP answer: " + text);
        var answerHead = text[..split];
        var body = text[(split + 4)..];
        if (answerHead.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Unchunk(body);
        }

        var status = int.Parse(answerHead.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        return new Answer(status, answerHead, body);
    }

    private static string Unchunk(string body)
    {
        var result = new StringBuilder();
        var position = 0;
        while (true)
        {
            var end = body.IndexOf("\r\n", position, StringComparison.Ordinal);
            var size = Convert.ToInt32(body[position..end].Split(';')[0].Trim(), 16);
            if (size == 0)
            {
                return result.ToString();
            }

            result.Append(body, end + 2, size);
            position = end + 2 + size + 2;
        }
    }
}
