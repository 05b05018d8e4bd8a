using Microsoft.Extensions.DependencyInjection;
using TokenAuth.Server;

namespace TokenAuth.Tests.Server;

/// <summary>
/// The in-memory grant store, with a moment of a redemption at which a test acts as another node sharing the store:
/// right after the endpoint has looked a grant up (<see cref="AfterFind"/>) or consumed it (<see cref="AfterConsume"/>).
/// Each hook runs once, on the store underneath, so what it does is not itself intercepted.
/// </summary>
public sealed class InterleavingGrantStore(IGrantStore inner) : IGrantStore
{
    /// <summary>Runs once after a grant was found: <c>(store, handle, grant)</c>.</summary>
    public Func<IGrantStore, TokenHash, GrantRecord, Task>? AfterFind { get; set; }

    /// <summary>Runs once after a grant was consumed: <c>(store, grant as it was before)</c>.</summary>
    public Func<IGrantStore, GrantRecord, Task>? AfterConsume { get; set; }

    /// <summary>Registers the store as the app's <see cref="IGrantStore"/> (before the server's default is added).</summary>
    public static void Register(IServiceCollection services)
        => services.AddSingleton<IGrantStore>(sp => new InterleavingGrantStore(new InMemoryGrantStore(sp.GetRequiredService<TimeProvider>())));

    public Task SaveAsync(TokenHash handle, GrantRecord grant, CancellationToken cancellationToken = default) => inner.SaveAsync(handle, grant, cancellationToken);

    public async Task<GrantRecord?> FindAsync(TokenHash handle, CancellationToken cancellationToken = default)
    {
        var found = await inner.FindAsync(handle, cancellationToken);
        if (found is not null && AfterFind is { } hook)
        {
            AfterFind = null;
            await hook(inner, handle, found);
        }

        return found;
    }

    public async Task<GrantRecord?> ConsumeAsync(TokenHash handle, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var consumed = await inner.ConsumeAsync(handle, now, cancellationToken);
        if (consumed is not null && AfterConsume is { } hook)
        {
            AfterConsume = null;
            await hook(inner, consumed);
        }

        return consumed;
    }

    public Task CompleteAsync(TokenHash handle, DateTimeOffset now, CancellationToken cancellationToken = default) => inner.CompleteAsync(handle, now, cancellationToken);

    public Task<bool> AddToFamilyAsync(string familyId, FamilyMember member, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
        => inner.AddToFamilyAsync(familyId, member, expiresAt, cancellationToken);

    public Task<IReadOnlyList<TokenHash>> RevokeFamilyAsync(string familyId, CancellationToken cancellationToken = default) => inner.RevokeFamilyAsync(familyId, cancellationToken);
}
