namespace TokenAuth.Server;

/// <summary>Options of the Redis grant store (<c>AddTokenAuthRedisGrantStore</c>).</summary>
public sealed class RedisGrantStoreOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string, e.g. <c>localhost:6379,password=…</c>. The store then opens and owns its
    /// own connection, lazily, with <c>abortConnect=false</c> (so it reconnects by itself after an outage); every call is
    /// bounded by the string's <c>syncTimeout</c>/<c>asyncTimeout</c> (default 5 s), and the first one also by its
    /// <c>connectTimeout</c>. Leave it <see langword="null"/> to use the <c>IConnectionMultiplexer</c> the host registered.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>The prefix of a grant's key, before the hex of its hash. Default <c>tokenauth:grant:</c>.</summary>
    public string KeyPrefix { get; set; } = "tokenauth:grant:";

    /// <summary>
    /// The prefix of a family's keys: <c>&lt;prefix&gt;&lt;family id&gt;:members</c> (a set) and
    /// <c>&lt;prefix&gt;&lt;family id&gt;:revoked</c> (the revocation marker). Default <c>tokenauth:family:</c>.
    /// </summary>
    public string FamilyKeyPrefix { get; set; } = "tokenauth:family:";

    internal void Validate()
    {
        if (string.IsNullOrEmpty(KeyPrefix))
        {
            throw new InvalidOperationException($"{nameof(KeyPrefix)} must not be empty.");
        }

        if (string.IsNullOrEmpty(FamilyKeyPrefix))
        {
            throw new InvalidOperationException($"{nameof(FamilyKeyPrefix)} must not be empty.");
        }

        if (Configuration is not null)
        {
            // The string may carry a password: messages name the property, never the value.
            StackExchange.Redis.ConfigurationOptions parsed;
            try
            {
                parsed = StackExchange.Redis.ConfigurationOptions.Parse(Configuration);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"{nameof(Configuration)} is not a valid StackExchange.Redis configuration string.", ex);
            }

            if (parsed.EndPoints.Count == 0)
            {
                throw new InvalidOperationException($"{nameof(Configuration)} names no Redis endpoint.");
            }
        }
    }
}
