namespace TokenAuth;

/// <summary>The default <see cref="ITokenRevoker"/>: the store first, then the message to every node.</summary>
internal sealed class TokenRevoker(ITokenStore store, IRevocationBus bus, TokenAuthMetrics metrics) : ITokenRevoker
{
    public async Task RevokeAsync(TokenHash hash, CancellationToken cancellationToken = default)
    {
        await store.RemoveAsync(hash, cancellationToken);
        await PublishAsync(RevocationMessage.Token(hash), cancellationToken);
    }

    public Task ForgetTenantAsync(string? tenant, CancellationToken cancellationToken = default)
        => PublishAsync(new RevocationMessage(RevocationScope.Tenant, tenant), cancellationToken);

    public Task ForgetUserAsync(string? userId, CancellationToken cancellationToken = default)
        => PublishAsync(new RevocationMessage(RevocationScope.User, userId), cancellationToken);

    private async Task PublishAsync(RevocationMessage message, CancellationToken cancellationToken)
    {
        await bus.PublishAsync(message, cancellationToken);
        metrics.Revocation(message.Scope);
    }
}
