using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Tool;

/// <summary>
/// The real sample (its Program) on Kestrel, on a free loopback port, started from a <see cref="ToolProject"/>: its
/// content root is the project copy, so it reads that copy's <c>appsettings*.json</c> itself, and its user-secrets
/// source — in the place ASP.NET Core gives it, after <c>appsettings.Development.json</c> — reads the project's
/// temporary <c>secrets.json</c> instead of the one under the real user profile.
/// </summary>
public sealed class ToolSample : WebApplicationFactory<Program>
{
    private readonly ToolProject _project;
    private readonly string? _redis;

    public ToolSample(ToolProject project, string? redis = null)
    {
        _project = project;
        _redis = redis;
        UseKestrel();
    }

    /// <summary>Where the sample listens (started on first use).</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            return new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        }
    }

    public HttpClient Http => new() { BaseAddress = Address };

    /// <summary>POST /oauth/token, client_credentials, HTTP Basic; the status and the JSON body.</summary>
    public async Task<(int Status, JsonElement Body)> TokenAsync(string clientId, string secret, params (string Name, string Value)[] parameters)
    {
        using var http = Http;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), .. parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value))]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        using var response = await http.SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return ((int)response.StatusCode, json.RootElement.Clone());
    }

    /// <summary>GET <paramref name="path"/> with the token; the status and the JSON body (if any).</summary>
    public async Task<(int Status, JsonElement? Body)> GetAsync(string path, string token)
    {
        using var http = Http;
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var json = text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true ? JsonDocument.Parse(text) : null;
        return ((int)response.StatusCode, json?.RootElement.Clone());
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseFreeLoopbackPort();
        builder.UseContentRoot(_project.Directory);
        builder.UseEnvironment("Development");
        if (_redis is not null)
        {
            builder.UseSetting("ConnectionStrings:Redis", _redis);
        }

        builder.ConfigureAppConfiguration((_, configuration) =>
        {
            // AddUserSecrets adds a JsonConfigurationSource for "secrets.json" in the user's secrets folder.
            var index = configuration.Sources.ToList().FindIndex(s => s is JsonConfigurationSource { Path: "secrets.json" });
            if (index < 0)
            {
                throw new InvalidOperationException("The sample loaded no user secrets: it needs a UserSecretsId and the Development environment.");
            }

            configuration.Sources[index] = new ConfigurationBuilder().AddJsonFile(_project.UserSecretsFile, optional: true).Sources[0];
        });
    }
}
