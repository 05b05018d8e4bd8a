namespace TokenAuth;

/// <summary>The bus of a single process: a message reaches this node's listeners and nothing else exists to reach.</summary>
internal sealed class LocalRevocationBus(RevocationDispatcher dispatcher) : IRevocationBus
{
    public Task PublishAsync(RevocationMessage message, CancellationToken cancellationToken)
        => dispatcher.DispatchAsync(message).AsTask();
}
