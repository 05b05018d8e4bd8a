using Microsoft.AspNetCore.Builder;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Introspection.ResourceServer;

namespace TokenAuth.Tests.Introspection;

/// <summary>
/// The introspection cache: one call per token however many requests wait, waiters that give up alone, failures never kept,
/// entries that never outlive the token, short negative entries, and an authority whose outage cached tokens ride out.
/// </summary>
public sealed class IntrospectionCacheTests
{
    [Fact]
    public async Task CancelledWaiters_DoNotCancelTheOthers_OneCall()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, HeldAtTheGate);
        var validator = Validator(app);
        var token = await authority.IssueAsync();
        authority.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The first caller starts the shared call; then nineteen more join it. The first and every odd one give up.
        var sources = Enumerable.Range(0, 20).Select(_ => new CancellationTokenSource()).ToList();
        var calls = new List<Task<TokenCheckResult>> { validator.ValidateAsync(token, sources[0].Token).AsTask() };
        await WaitUntilAsync(() => authority.Calls == 1);
        calls.AddRange(sources.Skip(1).Select(s => validator.ValidateAsync(token, s.Token).AsTask()));
        static bool GivesUp(int i) => i == 0 || i % 2 == 1;
        foreach (var source in sources.Where((_, i) => GivesUp(i)))
        {
            await source.CancelAsync();
        }

        // Those who gave up are released at once, while the shared call is still held at the server...
        var givenUp = calls.Where((_, i) => GivesUp(i)).ToList();
        foreach (var call in givenUp)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }

        Assert.All(calls.Where((_, i) => !GivesUp(i)), c => Assert.False(c.IsCompleted));

        // ...which goes on for the others, the first caller's own cancellation notwithstanding.
        authority.Gate.SetResult();
        foreach (var call in calls.Where((_, i) => !GivesUp(i)))
        {
            Assert.Equal(TokenCheckStatus.Valid, (await call).Status);
        }

        Assert.Equal(1, authority.Calls);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        Assert.Equal(1, authority.Calls);
        sources.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task FailedSharedCall_IsNotCached_TheNextRequestTriesAgain()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, o =>
        {
            HeldAtTheGate(o);
            o.Introspection.MaxRetryAttempts = 0;
        });
        var token = await authority.IssueAsync();
        authority.Fault = IntrospectionAuthority.Answer(500, "{}");
        authority.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var requests = Enumerable.Range(0, 50).Select(_ => StatusAsync(app, token)).ToList();
        await WaitUntilAsync(() => authority.Calls == 1);
        await Task.Delay(50);
        authority.Gate.SetResult();
        var statuses = await Task.WhenAll(requests);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s));
        Assert.Equal(1, authority.Calls);
        authority.Gate = null;
        authority.Fault = null;
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        Assert.Equal(2, authority.Calls);
    }

    [Fact]
    public async Task Entry_NeverOutlivesTheTokensExpiry()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, o => o.Introspection.CacheDuration = TimeSpan.FromMinutes(5));
        var token = await authority.IssueAsync(new TokenInfo { Subject = "u", ExpiresAt = TestApp.Start.AddMinutes(2) });

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        authority.Time.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        Assert.Equal(1, authority.Calls);

        authority.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, token));
    }

    [Fact]
    public async Task Entry_LivesTheCacheDuration_ThenTheTokenIsIntrospectedAgain()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, o => o.Introspection.CacheDuration = TimeSpan.FromMinutes(1));
        var token = await authority.IssueAsync();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        authority.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        Assert.Equal(1, authority.Calls);

        // Revoked meanwhile: a cached answer is trusted until its entry ends (the bound on staleness), then no longer.
        await authority.RevokeAsync(token);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        authority.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, token));
        Assert.Equal(2, authority.Calls);
    }

    [Fact]
    public async Task InactiveAnswer_IsCachedBriefly()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, o => o.Introspection.InactiveCacheDuration = TimeSpan.FromSeconds(10));

        await AssertCachedForAsync(app, authority, "unknown-token", TimeSpan.FromSeconds(10), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AnswerWithoutExp_IsCachedForTheConfiguredDuration()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, o => o.Introspection.CacheDuration = TimeSpan.FromMinutes(5));
        authority.Fault = IntrospectionAuthority.Answer(200, """{"active":true,"sub":"no-expiry"}""");

        await AssertCachedForAsync(app, authority, "opaque", TimeSpan.FromMinutes(5), HttpStatusCode.OK);
    }

    [Fact]
    public async Task CachedToken_KeepsWorkingWhileTheAuthorityIsDown_UntilItsEntryEnds()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, o => o.Introspection.CacheDuration = TimeSpan.FromMinutes(1));
        var token = await authority.IssueAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));

        await authority.StopAsync();
        authority.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(app, await authority.IssueAsync()));

        authority.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(app, token));
    }

    [Fact]
    public async Task RemoveAsync_ForgetsTheToken_ClearLocalAsync_ForgetsEveryToken()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority);
        var first = await authority.IssueAsync();
        var second = await authority.IssueAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, first));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, second));
        Assert.Equal(2, authority.Calls);

        await authority.RevokeAsync(first);
        await Cache(app).RemoveAsync(TokenHash.Compute(first));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, first));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, second));
        Assert.Equal(3, authority.Calls);

        await Cache(app).ClearLocalAsync();
        authority.Time.Advance(TimeSpan.FromMilliseconds(1));   // entries written in the same tick as the invalidation count as before it
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, second));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(app, first));
        Assert.Equal(5, authority.Calls);
    }

    [Fact]
    public async Task MemoryEntryLimit_BoundsWhatTheNodeKeeps_TokensPastItAreIntrospectedAgain()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, services: s => s.Configure<TokenCacheOptions>(o => o.MemoryEntryLimit = 10));
        var memory = Cache(app).For(TokenCacheKind.Introspection, TokenAuthDefaults.AuthenticationScheme);
        var tokens = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            tokens.Add(await authority.IssueAsync());
        }

        foreach (var token in tokens)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
            Assert.InRange(memory.Count, 1, 10);
        }

        Assert.Equal(30, authority.Calls);

        // Every token still works; the ones the limit pushed out cost a call again, the ones kept do not.
        foreach (var token in tokens)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
            Assert.InRange(memory.Count, 1, 10);
        }

        Assert.InRange(authority.Calls, 30 + 20, 30 + 29);
    }

    [Fact]
    public async Task OutOfDateEntries_NotReadAgain_AreSweptAboutOnceAMinute()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority);
        var memory = Cache(app).For(TokenCacheKind.Introspection, TokenAuthDefaults.AuthenticationScheme);
        for (var i = 0; i < 5; i++)
        {
            var shortLived = await authority.IssueAsync(new TokenInfo { Subject = "u" + i, ExpiresAt = TestApp.Start.AddSeconds(30) });
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, shortLived));
        }

        Assert.Equal(5, memory.Count);

        // A minute on, the five are out of date and nobody reads them; the next answer stored starts a sweep.
        authority.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, await authority.IssueAsync()));
        await WaitUntilAsync(() => memory.Count == 1);
    }

    [Fact]
    public async Task MemoryEntryLimitZero_KeepsNothingInMemory()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, services: s => s.Configure<TokenCacheOptions>(o => o.MemoryEntryLimit = 0));
        var token = await authority.IssueAsync();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        Assert.Equal(2, authority.Calls);
    }

    [Fact]
    public async Task MemoryHit_AllocatesNothing()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority);
        var validator = Validator(app);
        var token = await authority.IssueAsync();
        var first = await validator.ValidateAsync(token, CancellationToken.None);
        Assert.Equal(TokenCheckStatus.Valid, first.Status);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            // Completed at once: awaiting it does not yield, so the bytes counted are the lookup's.
            Assert.Same(first, await validator.ValidateAsync(token, CancellationToken.None));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1, authority.Calls);
    }

    [Fact]
    public async Task CacheDurationZero_IntrospectsEveryRequest()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var app = await StartAsync(authority, o => o.Introspection.CacheDuration = TimeSpan.Zero);
        var token = await authority.IssueAsync();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        }

        Assert.Equal(3, authority.Calls);
    }

    [Fact]
    public void Key_IsThePrefixTheKindAndTheHash_NeverTheToken_WithTheSchemeBesideTheDefault()
    {
        var hash = TokenHash.Compute("some-token");

        Assert.Equal("tokenauth:c:introspection:" + hash.Value, TokenCache.Key(TokenCacheKind.Introspection, "TokenAuth", hash));
        Assert.Equal("tokenauth:c:jwt:" + hash.Value, TokenCache.Key(TokenCacheKind.Jwt, "TokenAuth", hash));
        Assert.Equal("tokenauth:c:store:" + hash.Value, TokenCache.Key(TokenCacheKind.Store, "TokenAuth", hash));
        Assert.Equal("tokenauth:c:introspection:Partners:" + hash.Value, TokenCache.Key(TokenCacheKind.Introspection, "Partners", hash));
    }

    [Fact]
    public async Task TwoSchemes_TwoAuthorities_OnesAnswerNeverServesTheOther()
    {
        await using var authority = await IntrospectionAuthority.StartAsync();
        await using var other = await IntrospectionAuthority.StartAsync(authority.Time);
        await using var app = await TestApp.StartAsync(
            o =>
            {
                o.Introspection.Endpoint = authority.IntrospectionEndpoint;
                o.Introspection.ClientId = IntrospectionAuthority.ResourceClientId;
                o.Introspection.ClientSecret = IntrospectionAuthority.ResourceClientSecret;
            },
            services: s => s.AddAuthentication().AddTokenAuth("Partners", o =>
            {
                o.Introspection.Endpoint = other.IntrospectionEndpoint;
                o.Introspection.ClientId = IntrospectionAuthority.ResourceClientId;
                o.Introspection.ClientSecret = IntrospectionAuthority.ResourceClientSecret;
            }),
            map: a => a.MapGet("/partners", () => "ok").RequireAuthorization(p => p.AddAuthenticationSchemes("Partners").RequireAuthenticatedUser()),
            time: authority.Time);
        var token = await authority.IssueAsync();

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        using var partners = await app.Client.SendAsync(TestApp.Get("/partners", token));

        Assert.Equal(HttpStatusCode.Unauthorized, partners.StatusCode);
        Assert.Equal(1, other.Calls);

        // A removal reaches both schemes' entries.
        await Cache(app).RemoveAsync(TokenHash.Compute(token));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(app, token));
        using var again = await app.Client.SendAsync(TestApp.Get("/partners", token));
        Assert.Equal((2, 2), (authority.Calls, other.Calls));
    }

    /// <summary>
    /// Asserts that the token's answer (<paramref name="status"/>) is fetched once, used until <paramref name="lifetime"/>
    /// has nearly passed, and fetched again once it has.
    /// </summary>
    internal static async Task AssertCachedForAsync(TestApp app, IntrospectionAuthority authority, string token, TimeSpan lifetime, HttpStatusCode status)
    {
        var calls = authority.Calls;
        Assert.Equal(status, await StatusAsync(app, token));
        authority.Time.Advance(lifetime - TimeSpan.FromSeconds(1));
        Assert.Equal(status, await StatusAsync(app, token));
        Assert.Equal(calls + 1, authority.Calls);
        authority.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(status, await StatusAsync(app, token));
        Assert.Equal(calls + 2, authority.Calls);
    }

    /// <summary>A call held at the gate must not time out (and be retried) while a slow machine sends the rest.</summary>
    internal static void HeldAtTheGate(TokenAuthOptions options)
    {
        options.Introspection.Timeout = TimeSpan.FromSeconds(60);
        options.Introspection.AttemptTimeout = TimeSpan.FromSeconds(60);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(5);
        }
    }
}
