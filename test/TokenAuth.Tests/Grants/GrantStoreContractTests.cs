using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using TokenAuth.Server;
using TokenAuth.Tests.Infrastructure;

namespace TokenAuth.Tests.Grants;

/// <summary>
/// The <see cref="IGrantStore"/> contract, run against every built-in store by a derived class. Expiry is never
/// waited for: each store shows in its own way (a fake clock, a TTL) that it keeps a thing exactly as long as it must.
/// </summary>
public abstract class GrantStoreContractTests : IAsyncLifetime
{
    // Far from the real clock on purpose: a store that sent absolute expiries computed from it to Redis would
    // expire everything at once.
    protected static readonly DateTimeOffset Start = new(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);

    private readonly List<IGrantStore> _nodes = [];
    private IGrantStore? _store;

    protected FakeTimeProvider Time { get; } = new(Start);

    /// <summary>The store under test.</summary>
    protected IGrantStore Store => _store ??= Node();

    /// <summary>Another store over the same backend: another node of a farm (for memory, the same store).</summary>
    protected abstract IGrantStore CreateNode();

    /// <summary>Shows that the grant under <paramref name="handle"/> is kept until <paramref name="retainUntil"/> and not after. Last step of a test.</summary>
    protected abstract Task AssertKeptUntilAsync(TokenHash handle, DateTimeOffset retainUntil);

    /// <summary>Shows that the family's members are kept until <paramref name="until"/> and not after. Last step of a test.</summary>
    protected abstract Task AssertFamilyKeptUntilAsync(string familyId, DateTimeOffset until);

    /// <summary>Shows that the family is known as revoked until <paramref name="until"/> and forgotten after. Last step of a test.</summary>
    protected abstract Task AssertRevokedUntilAsync(string familyId, DateTimeOffset until);

    protected IGrantStore Node()
    {
        var node = CreateNode();
        _nodes.Add(node);
        return node;
    }

    protected static TokenHash Hash(string name) => TokenHash.Compute(name);

    protected static FamilyMember Access(string name) => new(FamilyMemberKind.AccessToken, Hash(name));

    protected static FamilyMember GrantMember(string name) => new(FamilyMemberKind.Grant, Hash(name));

    protected GrantRecord Grant(string familyId = "family-1", TimeSpan? expiresIn = null, TimeSpan? retainFor = null) => new()
    {
        Kind = GrantKind.RefreshToken,
        FamilyId = familyId,
        Token = new TokenInfo { Subject = "user-1", ClientId = "client-1", Scopes = ["read"] },
        ExpiresAt = Time.GetUtcNow() + (expiresIn ?? TimeSpan.FromHours(1)),
        RetainUntil = Time.GetUtcNow() + (retainFor ?? TimeSpan.FromHours(2)),
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes.Distinct())
        {
            if (node is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }

    [ContractFact]
    public async Task Save_ThenFind_RoundTripsEveryField()
    {
        var now = Time.GetUtcNow();
        var full = new GrantRecord
        {
            Kind = GrantKind.AuthorizationCode,
            FamilyId = "family-ü/:{x}:revoked",
            Token = new TokenInfo
            {
                Subject = "user-1",
                Name = "Ada \"Countess\" Lovelace",
                ClientId = "client-1",
                Scopes = ["read", "write"],
                Roles = ["admin", "auditor"],
                TenantId = "tenant-1",
                IssuedAt = now.AddTicks(1234567).ToOffset(TimeSpan.FromHours(2)),
                NotBefore = now.AddSeconds(-5),
                ExpiresAt = now.AddHours(1),
                Claims = [new TokenClaim("department", "R&D"), new TokenClaim("key", "🔑 <&>")],
            },
            ExpiresAt = now.AddMinutes(10).AddTicks(7).ToOffset(new TimeSpan(5, 30, 0)),
            RetainUntil = now.AddHours(1).AddTicks(3),
            RedirectUri = "https://client.example/cb?x=1&y=%22",
            CodeChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            CodeChallengeMethod = "S256",
        };
        var minimal = Grant() with { Token = new TokenInfo() };
        var consumed = Grant() with { ConsumedAt = now.AddTicks(-42).ToOffset(TimeSpan.FromHours(-3)), RedeemedAt = now.AddTicks(-7) };

        await Store.SaveAsync(Hash("full"), full);
        await Store.SaveAsync(Hash("minimal"), minimal);
        await Store.SaveAsync(Hash("consumed"), consumed);

        AssertSameGrant(full, await Store.FindAsync(Hash("full")));
        AssertSameGrant(minimal, await Store.FindAsync(Hash("minimal")));
        AssertSameGrant(consumed, await Store.FindAsync(Hash("consumed")));
        AssertSameGrant(full, await Node().FindAsync(Hash("full")));
    }

    [ContractFact]
    public async Task UnknownHandle_FindAndConsume_ReturnNull()
    {
        await Store.SaveAsync(Hash("known"), Grant());

        Assert.Null(await Store.FindAsync(Hash("unknown")));
        Assert.Null(await Store.ConsumeAsync(Hash("unknown"), Time.GetUtcNow()));
        Assert.Null(await Store.FindAsync(Hash("unknown")));
    }

    [ContractFact]
    public async Task Save_InvalidArguments_Throw()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.SaveAsync(Hash("h"), Grant(expiresIn: TimeSpan.FromHours(2), retainFor: TimeSpan.FromHours(1))));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.SaveAsync(Hash("h"), Grant(familyId: string.Empty)));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Store.SaveAsync(Hash("h"), null!));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.SaveAsync(default, Grant()));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.FindAsync(default));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AddToFamilyAsync("f", default, Time.GetUtcNow().AddHours(1)));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AddToFamilyAsync("f", new FamilyMember((FamilyMemberKind)7, Hash("m")), Time.GetUtcNow().AddHours(1)));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.RevokeFamilyAsync(string.Empty));

        Assert.Null(await Store.FindAsync(Hash("h")));
    }

    [ContractFact]
    public async Task Save_KeepsGrantUntilRetainUntil_PastItsExpiry()
    {
        var grant = Grant(expiresIn: TimeSpan.FromMinutes(10), retainFor: TimeSpan.FromHours(3));
        await Store.SaveAsync(Hash("rt"), grant);

        await AssertKeptUntilAsync(Hash("rt"), grant.RetainUntil);
    }

    [ContractFact]
    public async Task Save_RetainUntilPassed_KeepsNothing_NotEvenAnOlderRecord()
    {
        await Store.SaveAsync(Hash("rt"), Grant());
        var stale = Grant(expiresIn: TimeSpan.FromSeconds(-2), retainFor: TimeSpan.FromSeconds(-1));

        await Store.SaveAsync(Hash("rt"), stale);
        await Store.SaveAsync(Hash("never"), stale);

        Assert.Null(await Store.FindAsync(Hash("rt")));
        Assert.Null(await Store.FindAsync(Hash("never")));
        Assert.Null(await Store.ConsumeAsync(Hash("never"), Time.GetUtcNow()));
    }

    [ContractFact]
    public async Task Consume_First_ReturnsItUnconsumed_LaterCalls_ReturnTheFirstConsumption()
    {
        var grant = Grant();
        await Store.SaveAsync(Hash("rt"), grant);
        var first = Time.GetUtcNow().AddTicks(5).ToOffset(TimeSpan.FromHours(3));

        var winner = await Store.ConsumeAsync(Hash("rt"), first);
        var replay = await Store.ConsumeAsync(Hash("rt"), first.AddMinutes(1));
        var found = await Store.FindAsync(Hash("rt"));
        var replayAgain = await Node().ConsumeAsync(Hash("rt"), first.AddMinutes(2));

        AssertSameGrant(grant, winner);
        AssertSameGrant(grant with { ConsumedAt = first }, replay);
        AssertSameGrant(grant with { ConsumedAt = first }, found);
        AssertSameGrant(grant with { ConsumedAt = first }, replayAgain);
    }

    [ContractFact]
    public async Task Complete_MarksAConsumedGrantRedeemed_Once_AndNothingElse()
    {
        var grant = Grant();
        await Store.SaveAsync(Hash("rt"), grant);
        await Store.SaveAsync(Hash("unused"), grant);
        var consumedAt = Time.GetUtcNow().AddSeconds(1);
        var done = consumedAt.AddMilliseconds(250);

        await Store.CompleteAsync(Hash("rt"), consumedAt);
        Assert.Null((await Store.FindAsync(Hash("rt")))?.RedeemedAt);
        await Store.ConsumeAsync(Hash("rt"), consumedAt);
        await Node().CompleteAsync(Hash("rt"), done);
        await Store.CompleteAsync(Hash("rt"), done.AddMinutes(1));
        await Store.CompleteAsync(Hash("unused"), done);
        await Store.CompleteAsync(Hash("never"), done);

        AssertSameGrant(grant with { ConsumedAt = consumedAt, RedeemedAt = done }, await Store.FindAsync(Hash("rt")));
        AssertSameGrant(grant with { ConsumedAt = consumedAt, RedeemedAt = done }, await Store.ConsumeAsync(Hash("rt"), done.AddMinutes(2)));
        AssertSameGrant(grant, await Store.FindAsync(Hash("unused")));
        Assert.Null(await Store.FindAsync(Hash("never")));
        await AssertKeptUntilAsync(Hash("rt"), grant.RetainUntil);
    }

    [ContractFact]
    public async Task Consume_ConsumedGrant_IsKeptUntilRetainUntil_ToRecogniseReplays()
    {
        var grant = Grant(expiresIn: TimeSpan.FromMinutes(30), retainFor: TimeSpan.FromHours(5));
        await Store.SaveAsync(Hash("rt"), grant);

        await Store.ConsumeAsync(Hash("rt"), Time.GetUtcNow());

        await AssertKeptUntilAsync(Hash("rt"), grant.RetainUntil);
    }

    [ContractFact]
    public async Task Consume_FiftyConcurrentCallersOnSeveralNodes_ExactlyOneSeesItUnconsumed()
    {
        var nodes = Enumerable.Range(0, 5).Select(_ => Node()).ToList();
        foreach (var node in nodes)
        {
            Assert.Null(await node.FindAsync(Hash("warm-up")));
        }

        await Store.SaveAsync(Hash("rt"), Grant());
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            await gate.Task;
            return await nodes[i % nodes.Count].ConsumeAsync(Hash("rt"), Start.AddMilliseconds(i));
        })).ToList();

        gate.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.All(results, r => Assert.NotNull(r));
        var winner = Assert.Single(Enumerable.Range(0, results.Length), i => results[i]!.ConsumedAt is null);
        Assert.All(results.Where(r => r!.ConsumedAt is not null), r => Assert.Equal(Start.AddMilliseconds(winner), r!.ConsumedAt));
        Assert.Equal(Start.AddMilliseconds(winner), (await Store.FindAsync(Hash("rt")))?.ConsumedAt);
    }

    [ContractFact]
    public async Task Save_OverAConsumedGrant_ReplacesItsConsumptionToo()
    {
        await Store.SaveAsync(Hash("rt"), Grant());
        await Store.ConsumeAsync(Hash("rt"), Time.GetUtcNow());

        await Store.SaveAsync(Hash("rt"), Grant() with { FamilyId = "family-2" });

        var again = await Store.ConsumeAsync(Hash("rt"), Time.GetUtcNow().AddSeconds(1));
        Assert.Equal("family-2", again?.FamilyId);
        Assert.Null(again?.ConsumedAt);
    }

    [ContractFact]
    public async Task RevokeFamily_ReturnsExactlyItsAccessTokens_RemovesItsGrants_RefusesLaterMembers()
    {
        var expires = Time.GetUtcNow().AddHours(1);
        await Store.SaveAsync(Hash("rt-1"), Grant("f"));
        await Store.SaveAsync(Hash("rt-2"), Grant("f"));
        await Store.SaveAsync(Hash("rt-elsewhere"), Grant("f"));
        Assert.True(await Store.AddToFamilyAsync("f", Access("at-1"), expires));
        Assert.True(await Store.AddToFamilyAsync("f", GrantMember("rt-1"), expires));
        Assert.True(await Node().AddToFamilyAsync("f", Access("at-2"), expires.AddHours(1)));
        Assert.True(await Store.AddToFamilyAsync("f", GrantMember("rt-2"), expires));
        Assert.True(await Store.AddToFamilyAsync("f", Access("at-1"), expires));
        Assert.True(await Store.AddToFamilyAsync("f", GrantMember("code-never-saved"), expires));

        var revoked = await Store.RevokeFamilyAsync("f");

        Assert.Equal(Sorted([Hash("at-1"), Hash("at-2")]), Sorted(revoked));
        Assert.Null(await Store.FindAsync(Hash("rt-1")));
        Assert.Null(await Store.ConsumeAsync(Hash("rt-2"), Time.GetUtcNow()));
        Assert.NotNull(await Store.FindAsync(Hash("rt-elsewhere")));
        Assert.False(await Store.AddToFamilyAsync("f", Access("at-3"), expires));
        Assert.False(await Node().AddToFamilyAsync("f", GrantMember("rt-3"), expires));
        Assert.Empty(await Store.RevokeFamilyAsync("f"));
    }

    [ContractFact]
    public async Task RevokeFamily_UnknownFamily_IsNoError_AndRefusesLaterMembers()
    {
        Assert.Empty(await Store.RevokeFamilyAsync("never-seen"));

        Assert.False(await Store.AddToFamilyAsync("never-seen", Access("at"), Time.GetUtcNow().AddHours(1)));
        Assert.False(await Node().AddToFamilyAsync("never-seen", GrantMember("rt"), Time.GetUtcNow().AddHours(1)));
        Assert.Empty(await Store.RevokeFamilyAsync("never-seen"));
    }

    [ContractFact]
    public async Task RevokeFamily_LeavesOtherFamiliesAlone()
    {
        var expires = Time.GetUtcNow().AddHours(1);
        await Store.SaveAsync(Hash("rt-b"), Grant("b"));
        Assert.True(await Store.AddToFamilyAsync("a", Access("at-a"), expires));
        Assert.True(await Store.AddToFamilyAsync("b", Access("at-b"), expires));
        Assert.True(await Store.AddToFamilyAsync("b", GrantMember("rt-b"), expires));

        Assert.Equal([Hash("at-a")], await Store.RevokeFamilyAsync("a"));

        Assert.NotNull(await Store.FindAsync(Hash("rt-b")));
        Assert.True(await Store.AddToFamilyAsync("b", Access("at-b2"), expires));
        Assert.Equal(Sorted([Hash("at-b"), Hash("at-b2")]), Sorted(await Store.RevokeFamilyAsync("b")));
    }

    [ContractFact]
    public async Task AddToFamily_AlreadyExpiredMember_IsAccepted_ButNothingToRevoke()
    {
        Assert.True(await Store.AddToFamilyAsync("f", Access("at-old"), Time.GetUtcNow().AddSeconds(-1)));

        Assert.Empty(await Store.RevokeFamilyAsync("f"));
    }

    [ContractFact]
    public async Task AddToFamily_RacingRevokeFamily_EveryAcceptedMemberIsRevoked()
    {
        var nodes = Enumerable.Range(0, 4).Select(_ => Node()).ToList();
        var expires = Time.GetUtcNow().AddHours(1);
        for (var round = 0; round < 5; round++)
        {
            var family = "race-" + round.ToString(CultureInfo.InvariantCulture);
            var members = Enumerable.Range(0, 60)
                .Select(i => i % 3 == 0 ? GrantMember($"{family}-rt-{i}") : Access($"{family}-at-{i}"))
                .ToList();
            foreach (var member in members.Where(m => m.Kind == FamilyMemberKind.Grant))
            {
                await Store.SaveAsync(member.Hash, Grant(family));
            }

            // The first members are in before the race: they at least must come back.
            var accepted = new bool[members.Count];
            for (var i = 0; i < 6; i++)
            {
                accepted[i] = await Store.AddToFamilyAsync(family, members[i], expires);
            }

            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var adds = Enumerable.Range(6, members.Count - 6).Select(i => Task.Run(async () =>
            {
                await gate.Task;
                accepted[i] = await nodes[i % nodes.Count].AddToFamilyAsync(family, members[i], expires);
            })).ToList();
            var revoke = Task.Run(async () =>
            {
                await gate.Task;
                return await nodes[round % nodes.Count].RevokeFamilyAsync(family);
            });
            gate.SetResult();
            await Task.WhenAll(adds);
            var revoked = await revoke;

            Assert.All(accepted.Take(6), Assert.True);
            var acceptedAccess = members.Where((m, i) => accepted[i] && m.Kind == FamilyMemberKind.AccessToken).Select(m => m.Hash);
            Assert.Equal(Sorted(acceptedAccess), Sorted(revoked));
            foreach (var (member, i) in members.Select((m, i) => (m, i)).Where(x => accepted[x.i] && x.m.Kind == FamilyMemberKind.Grant))
            {
                Assert.Null(await Store.FindAsync(member.Hash));
            }

            Assert.False(await Store.AddToFamilyAsync(family, Access(family + "-late"), expires));
        }
    }

    [ContractFact]
    public async Task AddToFamily_KeepsFamilyUntilItsLatestMember()
    {
        var now = Time.GetUtcNow();
        Assert.True(await Store.AddToFamilyAsync("f", Access("at-1"), now.AddHours(1)));
        Assert.True(await Store.AddToFamilyAsync("f", Access("at-3"), now.AddHours(3)));
        Assert.True(await Store.AddToFamilyAsync("f", Access("at-2"), now.AddHours(2)));

        await AssertFamilyKeptUntilAsync("f", now.AddHours(3));
    }

    [ContractFact]
    public async Task RevokeFamily_IsRememberedAsLongAsAMemberCouldLive()
    {
        var now = Time.GetUtcNow();
        Assert.True(await Store.AddToFamilyAsync("f", Access("at"), now.AddHours(5)));

        await Store.RevokeFamilyAsync("f");
        // Revoking again, once the members are gone, must not shorten the memory to the bare retention.
        await Node().RevokeFamilyAsync("f");

        await AssertRevokedUntilAsync("f", now.AddHours(5));
    }

    [ContractFact]
    public async Task RevokeFamily_WithoutLiveMembers_IsRememberedForTheRetention()
    {
        var now = Time.GetUtcNow();

        await Store.RevokeFamilyAsync("f");

        await AssertRevokedUntilAsync("f", now + GrantStoreRules.RevokedFamilyRetention);
    }

    private static List<string> Sorted(IEnumerable<TokenHash> hashes) => [.. hashes.Select(h => h.Value).Order(StringComparer.Ordinal)];

    protected static void AssertSameGrant(GrantRecord expected, GrantRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.FamilyId, actual.FamilyId);
        AssertSameInstant(expected.ExpiresAt, actual.ExpiresAt);
        AssertSameInstant(expected.RetainUntil, actual.RetainUntil);
        AssertSameInstant(expected.ConsumedAt, actual.ConsumedAt);
        AssertSameInstant(expected.RedeemedAt, actual.RedeemedAt);
        Assert.Equal(expected.RedirectUri, actual.RedirectUri);
        Assert.Equal(expected.CodeChallenge, actual.CodeChallenge);
        Assert.Equal(expected.CodeChallengeMethod, actual.CodeChallengeMethod);
        var (e, a) = (expected.Token, actual.Token);
        Assert.Equal(e.Subject, a.Subject);
        Assert.Equal(e.Name, a.Name);
        Assert.Equal(e.ClientId, a.ClientId);
        Assert.Equal(e.Scopes, a.Scopes);
        Assert.Equal(e.Roles, a.Roles);
        Assert.Equal(e.TenantId, a.TenantId);
        AssertSameInstant(e.IssuedAt, a.IssuedAt);
        AssertSameInstant(e.NotBefore, a.NotBefore);
        AssertSameInstant(e.ExpiresAt, a.ExpiresAt);
        Assert.Equal(e.Claims, a.Claims);
    }

    /// <summary>The same instant to the tick, and the same offset (DateTimeOffset equality ignores the offset).</summary>
    private static void AssertSameInstant(DateTimeOffset? expected, DateTimeOffset? actual)
        => Assert.Equal(expected?.ToString("O", CultureInfo.InvariantCulture), actual?.ToString("O", CultureInfo.InvariantCulture));
}
