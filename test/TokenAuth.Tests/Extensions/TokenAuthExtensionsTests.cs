using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth.Tests.Extensions;

public class TokenAuthExtensionsTests
{
    [Fact]
    public async Task AddTokenAuth_WithoutAddAuthorization_WebApplicationAuthorizesOnKestrel()
    {
        // Kestrel, not TestServer: the host as a user's Program.cs builds it, with no AddAuthorization() and no
        // Use* calls, so WebApplication must find authorization services to add UseAuthorization() itself.
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.Sources.Clear();   // the sample's appsettings.json sits next to the tests
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = "http://127.0.0.1:0" });
        builder.Logging.ClearProviders();
        builder.Services.AddTokenAuth(o => o.UseTokenStore = true);
        await using var app = builder.Build();
        app.MapGet("/api/me", () => "me").RequireAuthorization();
        await app.StartAsync();
        var address = app.Urls.Single();   // the port Kestrel chose
        using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) };
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        await app.Services.GetRequiredService<ITokenStore>().SaveAsync(
            TokenHash.Compute(token), new TokenInfo { Subject = "user-1", ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) });

        using var anonymous = await client.GetAsync(new Uri("/api/me", UriKind.Relative));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        using var authenticated = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);
        await app.StopAsync();
    }
}
