namespace TokenAuth.Tests.Infrastructure;

/// <summary>
/// A fact that needs a real redis-server. Skipped, with the reason, when the binary is absent — unless
/// <c>TOKENAUTH_REQUIRE_REDIS=1</c> (CI), where the test runs and fails instead of silently skipping.
/// </summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisServer.FindBinary() is null && Environment.GetEnvironmentVariable("TOKENAUTH_REQUIRE_REDIS") != "1")
        {
            Skip = "redis-server is not installed; install it (apt-get install -y redis-server) or set TOKENAUTH_REQUIRE_REDIS=1 to fail instead.";
        }
    }
}
