using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Moq;
using TokenAuth.Tests.Infrastructure;
using TokenAuth.Tests.Jwt;
using static TokenAuth.Tests.Introspection.ResourceServer;

namespace TokenAuth.Tests.Introspection;

/// <summary>
/// Which backend answers: JWTs locally, opaque tokens in the store and — when the store does not know them — at the
/// authorization server; a store outage stays an outage.
/// </summary>
public sealed class ValidatorRoutingTests
{
    [Fact]
    public async Task StoreAndIntrospection_OwnTokensFromTheStore_OthersFromTheAuthority()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, o => o.UseTokenStore = true);
        var own = await app.IssueAsync();
        var theirs = await authority.IssueAsync(new TokenInfo { Subject = "remote-user" });

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, own));
        Assert.Equal(0, authority.Calls);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, theirs));
        Assert.Equal(1, authority.Calls);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, "known-to-nobody"));
        Assert.Equal(2, authority.Calls);
    }

    [Fact]
    public async Task StoreOutage_Is503_AndDoesNotFallThroughToIntrospection()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        var store = new Mock<ITokenStore>();
        store.Setup(s => s.FindAsync(It.IsAny<TokenHash>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException("store down"));
        await using var app = await StartAsync(authority, o => o.UseTokenStore = true, s => s.AddSingleton(store.Object));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(app, await authority.IssueAsync()));
        Assert.Equal(0, authority.Calls);
    }

    [Fact]
    public async Task JwtAndIntrospection_JwtsAreValidatedLocally_OpaqueTokensIntrospected()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        var key = JwtTestKeys.Symmetric();
        await using var app = await StartAsync(authority, o => o.Jwt.TokenValidationParameters = JwtTestKeys.Parameters(key));
        var jwt = JwtTestKeys.CreateToken(key, SecurityAlgorithms.HmacSha256, TestApp.Start);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, jwt));
        Assert.Equal(0, authority.Calls);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, await authority.IssueAsync()));
        Assert.Equal(1, authority.Calls);
    }

    [Fact]
    public async Task IntrospectionAlone_AlsoAsksAboutJwtShapedTokens()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority);
        authority.Fault = IntrospectionAuthority.Answer(200, """{"active":true,"sub":"from-the-authority"}""");

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"));
        Assert.Equal(1, authority.Calls);
    }

    [Fact]
    public async Task JwtCache_Off_ChecksEverySignature_On_ChecksOncePerToken_AndNeverPastExpiry()
    {
        var key = JwtTestKeys.Symmetric();
        var resolved = 0;
        TokenValidationParameters Counting() => new()
        {
            ValidIssuer = JwtTestKeys.Issuer,
            ValidAudience = JwtTestKeys.Audience,
            IssuerSigningKeyResolver = (_, _, _, _) =>
            {
                Interlocked.Increment(ref resolved);
                return [key];
            },
        };
        await using var uncached = await TestApp.StartAsync(o => o.Jwt.TokenValidationParameters = Counting());
        await using var cached = await TestApp.StartAsync(o =>
        {
            o.Jwt.TokenValidationParameters = Counting();
            o.Jwt.CacheValidatedTokens = true;
            o.Jwt.CacheDuration = TimeSpan.FromMinutes(5);
        });
        var token = JwtTestKeys.CreateToken(key, SecurityAlgorithms.HmacSha256, TestApp.Start, lifetime: TimeSpan.FromMinutes(2));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(uncached, token));
        }

        Assert.Equal(3, resolved);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(cached, token));
        }

        Assert.Equal(4, resolved);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(cached, token + "x"));

        // Expiry plus the default five minutes of clock skew: the cached entry ends exactly there.
        cached.Time.Advance(TimeSpan.FromMinutes(7) - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(cached, token));
        cached.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(cached, token));
    }

    [Fact]
    public async Task StoreCache_WhenTurnedOn_KeepsHitsInMemory_MissesNever()
    {
        var store = new Mock<ITokenStore>();
        var info = new TokenInfo { Subject = "u", ExpiresAt = TestApp.Start.AddHours(1) };
        store.Setup(s => s.FindAsync(TokenHash.Compute("known"), It.IsAny<CancellationToken>())).ReturnsAsync(info);
        await using var app = await TestApp.StartAsync(
            o =>
            {
                o.UseTokenStore = true;
                o.StoreCacheDuration = TimeSpan.FromMinutes(1);
            },
            s => s.AddSingleton(store.Object));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, "known"));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, "unknown"));
        }

        store.Verify(s => s.FindAsync(TokenHash.Compute("known"), It.IsAny<CancellationToken>()), Times.Once);
        store.Verify(s => s.FindAsync(TokenHash.Compute("unknown"), It.IsAny<CancellationToken>()), Times.Exactly(3));
    }

    private static readonly AsyncLocal<bool> InThisTest = new();

    [Fact]
    public async Task StoreCache_UnknownTokens_ThrowNothing_ConcurrentOnesShareOneLookup()
    {
        var store = new Mock<ITokenStore>();
        var gate = new TaskCompletionSource<TokenInfo?>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Setup(s => s.FindAsync(TokenHash.Compute("shared-unknown"), It.IsAny<CancellationToken>())).Returns(gate.Task);
        await using var app = await TestApp.StartAsync(
            o =>
            {
                o.UseTokenStore = true;
                o.StoreCacheDuration = TimeSpan.FromMinutes(1);
            },
            s => s.AddSingleton(store.Object));
        var validator = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<TokenAuthOptions>>().Get(TokenAuthDefaults.AuthenticationScheme).Validator!;
        var thrown = 0;
        void Count(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (InThisTest.Value)
            {
                Interlocked.Increment(ref thrown);
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            InThisTest.Value = true;
            var lookups = Enumerable.Range(0, 10).Select(_ => validator.ValidateAsync("shared-unknown", CancellationToken.None).AsTask()).ToList();
            gate.SetResult(null);
            var results = await Task.WhenAll(lookups);
            var alone = await validator.ValidateAsync("other-unknown", CancellationToken.None);

            Assert.All(results, r => Assert.Equal(TokenCheckStatus.Invalid, r.Status));
            Assert.Equal(TokenCheckStatus.Invalid, alone.Status);
        }
        finally
        {
            InThisTest.Value = false;
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }

        // An unknown token is the common miss, and a flood of made-up ones must not cost an exception each.
        Assert.Equal(0, thrown);
        store.Verify(s => s.FindAsync(TokenHash.Compute("shared-unknown"), It.IsAny<CancellationToken>()), Times.Once);
    }
}
