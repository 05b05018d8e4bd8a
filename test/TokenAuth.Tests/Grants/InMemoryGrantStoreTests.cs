using TokenAuth.Server;

namespace TokenAuth.Tests.Grants;

/// <summary>The contract against the in-memory store (one process: every "node" is the same store), plus its memory bounds.</summary>
public sealed class InMemoryGrantStoreTests : GrantStoreContractTests
{
    private InMemoryGrantStore? _store;

    private InMemoryGrantStore Memory => _store ??= new InMemoryGrantStore(Time);

    protected override IGrantStore CreateNode() => Memory;

    protected override async Task AssertKeptUntilAsync(TokenHash handle, DateTimeOffset retainUntil)
    {
        Time.SetUtcNow(retainUntil.AddTicks(-1));
        Assert.NotNull(await Memory.FindAsync(handle));

        Time.SetUtcNow(retainUntil);
        Assert.Null(await Memory.FindAsync(handle));
        Assert.Null(await Memory.ConsumeAsync(handle, retainUntil));
    }

    protected override async Task AssertFamilyKeptUntilAsync(string familyId, DateTimeOffset until)
    {
        Time.SetUtcNow(until.AddSeconds(-1));
        await SweepAsync();
        Assert.Equal(1, Memory.FamilyCount);

        Time.SetUtcNow(until.AddMinutes(1));
        await SweepAsync();
        Assert.Equal(0, Memory.FamilyCount);
    }

    protected override async Task AssertRevokedUntilAsync(string familyId, DateTimeOffset until)
    {
        Time.SetUtcNow(until.AddSeconds(-1));
        Assert.False(await Memory.AddToFamilyAsync(familyId, Access("probe"), until.AddHours(1)));

        // Forgotten after that (the sweep runs at most once a minute): the marker does not hold memory forever.
        Time.SetUtcNow(until.AddMinutes(1));
        await SweepAsync();
        Assert.Equal(0, Memory.FamilyCount);
    }

    [Fact]
    public async Task Save_SweepsGrantsPastRetainUntil()
    {
        for (var i = 0; i < 100; i++)
        {
            await Memory.SaveAsync(Hash("old-" + i), Grant(expiresIn: TimeSpan.FromSeconds(10), retainFor: TimeSpan.FromSeconds(30)));
        }

        Time.Advance(TimeSpan.FromMinutes(2));
        await Memory.SaveAsync(Hash("new"), Grant());

        Assert.Equal(1, Memory.Count);
    }

    [Fact]
    public async Task AddToFamily_DropsExpiredMembers_SoALongChainStaysSmall()
    {
        for (var i = 0; i < 100; i++)
        {
            Assert.True(await Memory.AddToFamilyAsync("f", Access("at-" + i), Time.GetUtcNow().AddMinutes(1)));
            Time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.True(await Memory.AddToFamilyAsync("f", Access("at-last"), Time.GetUtcNow().AddMinutes(1)));

        Assert.Equal([Hash("at-last")], await Memory.RevokeFamilyAsync("f"));
    }

    [Fact]
    public async Task Families_AreSweptAfterTheirLastMember_AndAnExpiredOneIsNotKept()
    {
        for (var i = 0; i < 50; i++)
        {
            Assert.True(await Memory.AddToFamilyAsync("f-" + i, Access("at-" + i), Time.GetUtcNow().AddMinutes(5)));
        }

        Assert.True(await Memory.AddToFamilyAsync("expired", Access("at-old"), Time.GetUtcNow().AddMinutes(-5)));

        Time.Advance(TimeSpan.FromMinutes(6));
        await SweepAsync();

        Assert.Equal(0, Memory.FamilyCount);
    }

    /// <summary>A write runs the sweep when it is due (at most once a minute of the fake clock).</summary>
    private Task SweepAsync() => Memory.SaveAsync(Hash("sweep-" + Guid.NewGuid()), Grant());
}
