using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TokenAuth;

/// <summary>Starts the farm's revocation bus with the host, so that a node subscribes before it serves a request.</summary>
internal sealed class RevocationBusStarter(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
        => services.GetService<IRevocationBus>() is RedisRevocationBus bus ? bus.StartAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
