namespace TokenAuth;

/// <summary>
/// A local cache that forgets what a <see cref="RevocationMessage"/> names. Registered in DI (enumerable); the
/// revocation bus calls every listener for every message, its own node's included. A listener must not throw for a
/// message it has nothing to do with, and must be quick: it runs on the bus's thread.
/// </summary>
internal interface IRevocationListener
{
    ValueTask OnRevokedAsync(RevocationMessage message);
}
