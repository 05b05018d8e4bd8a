using Microsoft.AspNetCore.Hosting;

namespace TokenAuth.Tests.Infrastructure;

/// <summary>
/// Kestrel on a free loopback port for a <c>WebApplicationFactory&lt;Program&gt;</c>: call <c>UseKestrel()</c> without a
/// port and give the address here, as the <c>urls</c> setting. <c>UseKestrel(0)</c> races with a minimal app — the factory
/// rewrites the server's addresses after <c>Build()</c> while the app's own thread may already be binding them, which
/// throws "IServerAddressesFeature.Addresses cannot be modified after the server has started" (seen once in CI;
/// dotnet/aspnetcore#67714) —, while a setting is read before the server starts.
/// </summary>
public static class FreeLoopback
{
    public const string Url = "http://127.0.0.1:0";

    /// <summary>Binds the app to a free loopback port (with <c>UseKestrel()</c> on the factory).</summary>
    public static IWebHostBuilder UseFreeLoopbackPort(this IWebHostBuilder builder) => builder.UseSetting(WebHostDefaults.ServerUrlsKey, Url);
}
