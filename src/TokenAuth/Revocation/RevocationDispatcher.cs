using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TokenAuth;

/// <summary>
/// Hands a message to every registered <see cref="IRevocationListener"/>. Listeners are resolved on first use (they
/// may be created after the bus), and one that throws is logged and does not stop the others.
/// </summary>
internal sealed class RevocationDispatcher(IServiceProvider services, ILogger<RevocationDispatcher> logger)
{
    private IRevocationListener[]? _listeners;

    public async ValueTask DispatchAsync(RevocationMessage message)
    {
        foreach (var listener in _listeners ??= [.. services.GetServices<IRevocationListener>()])
        {
            try
            {
                await listener.OnRevokedAsync(message);
            }
#pragma warning disable CA1031 // One listener's fault must not keep the others from forgetting what they must.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.RevocationListenerFailed(logger, message.Scope, LogRedaction.Redact(ex));
            }
        }
    }
}
