using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Handler;

/// <summary><c>AddTokenAuthValidator&lt;T&gt;()</c>: a validator of the host's own, made by the container with its dependencies.</summary>
public sealed class ValidatorFromServicesTests
{
    /// <summary>A service of the host's (a database of API keys, say) that the validator depends on.</summary>
    public sealed class ApiKeys
    {
        public Dictionary<string, string> Owners { get; } = new(StringComparer.Ordinal) { ["key-of-ann"] = "ann" };

        public bool Down { get; set; }
    }

    public sealed class ApiKeyValidator(ApiKeys keys, TimeProvider time) : ITokenValidator
    {
        public ValueTask<TokenCheckResult> ValidateAsync(string token, CancellationToken cancellationToken)
            => ValueTask.FromResult(
                keys.Down ? TokenCheckResult.Unavailable("The key database is down.")
                : keys.Owners.TryGetValue(token, out var owner) ? TokenCheckResult.Valid(new TokenInfo { Subject = owner, ExpiresAt = time.GetUtcNow().AddHours(1) })
                : TokenCheckResult.Invalid("Unknown API key."));
    }

    [Fact]
    public async Task ValidatorFromTheContainer_GetsItsDependencies_ReplacesTheStore_AndKeepsTheHandlersAnswers()
    {
        var keys = new ApiKeys();
        await using var app = await TestApp.StartAsync(services: s =>
        {
            s.AddSingleton(keys);
            s.AddAuthentication().AddTokenAuthValidator<ApiKeyValidator>();
        });

        var ann = await TestServerJsonAsync(app, "key-of-ann");
        Assert.Equal(HttpStatusCode.OK, ann.Status);
        Assert.Contains("\"sub\":\"ann\"", ann.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TestServerJsonAsync(app, await app.IssueAsync())).Status);   // the store is not asked
        keys.Down = true;
        using var down = await app.Client.SendAsync(TestApp.Get("/protected", "key-of-ann"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.NotNull(down.Headers.RetryAfter);
        Assert.Same(app.Services.GetRequiredService<ApiKeyValidator>(), ResourceValidator(app, TokenAuthDefaults.AuthenticationScheme));
    }

    [Fact]
    public async Task NamedScheme_GetsTheValidator_TheDefaultSchemeKeepsItsOwn()
    {
        await using var app = await TestApp.StartAsync(services: s =>
        {
            s.AddSingleton(new ApiKeys());
            s.AddAuthentication().AddTokenAuth("Keys", _ => { }).AddTokenAuthValidator<ApiKeyValidator>("Keys");
        });

        Assert.IsType<ApiKeyValidator>(ResourceValidator(app, "Keys"));
        Assert.IsNotType<ApiKeyValidator>(ResourceValidator(app, TokenAuthDefaults.AuthenticationScheme));
        Assert.Equal(HttpStatusCode.OK, (await TestServerJsonAsync(app, await app.IssueAsync())).Status);
    }

    [Fact]
    public void Arguments_AreChecked()
    {
        var builder = new ServiceCollection().AddAuthentication();

        Assert.Throws<ArgumentNullException>(() => TokenAuthExtensions.AddTokenAuthValidator<ApiKeyValidator>(null!));
        Assert.Throws<ArgumentException>(() => builder.AddTokenAuthValidator<ApiKeyValidator>(string.Empty));
    }

    private static ITokenValidator? ResourceValidator(TestApp app, string scheme)
        => app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<TokenAuthOptions>>().Get(scheme).Validator;

    private static async Task<(HttpStatusCode Status, string Body)> TestServerJsonAsync(TestApp app, string token)
    {
        using var response = await app.Client.SendAsync(TestApp.Get("/protected", token));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
