namespace TokenAuth;

/// <summary>Carries <see cref="RevocationMessage"/>s to every node's <see cref="IRevocationListener"/>s, this node's first.</summary>
internal interface IRevocationBus
{
    /// <summary>Delivers the message here, then to every other node; throws when it may not have reached them.</summary>
    Task PublishAsync(RevocationMessage message, CancellationToken cancellationToken);
}
