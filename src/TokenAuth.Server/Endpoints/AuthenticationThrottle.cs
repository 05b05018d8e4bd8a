using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace TokenAuth.Server;

/// <summary>
/// Counts failed authentications per (client id or user name, address) and per address, in token buckets from
/// <c>System.Threading.RateLimiting</c>. Only failures spend permits; a key without permits is refused before its
/// secret is even checked. Buckets that are full again are dropped by the limiter, so memory is bounded by the keys
/// failing right now, and the per-address bucket bounds how many keys one address can create. IPv6 addresses are
/// counted by their /64 prefix, which one attacker usually holds whole.
/// </summary>
internal sealed class AuthenticationThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perKey;
    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly TimeSpan _retryAfter;

    public AuthenticationThrottle(IOptions<TokenServerOptions> options)
    {
        var failed = options.Value.FailedAuthentication;
        _perKey = Create(failed.PermitLimit, failed.Window);
        _perAddress = Create(failed.AddressPermitLimit, failed.Window);
        _retryAfter = failed.Window / failed.PermitLimit;
    }

    /// <summary>Whether <paramref name="subject"/> (a client id or user name) may try to authenticate from <paramref name="address"/>; the wait when not.</summary>
    public TimeSpan? Check(string kind, string subject, IPAddress? address)
    {
        var addressKey = AddressKey(address);
        return HasPermit(_perAddress, addressKey) && HasPermit(_perKey, Key(kind, subject, addressKey)) ? null : _retryAfter;
    }

    /// <summary>Spends one permit of the key and of the address.</summary>
    public void RecordFailure(string kind, string subject, IPAddress? address)
    {
        var addressKey = AddressKey(address);
        _perAddress.AttemptAcquire(addressKey, 1).Dispose();
        _perKey.AttemptAcquire(Key(kind, subject, addressKey), 1).Dispose();
    }

    public void Dispose()
    {
        _perKey.Dispose();
        _perAddress.Dispose();
    }

    // Not AttemptAcquire(key, 0): a partitioned token bucket refills by fractions of a permit every 100 ms, and a
    // zero-permit lease succeeds on any fraction, so an emptied bucket would let guesses through again 100 ms later.
    private static bool HasPermit(PartitionedRateLimiter<string> limiter, string key)
        => limiter.GetStatistics(key) is not { } statistics || statistics.CurrentAvailablePermits >= 1;

    private static PartitionedRateLimiter<string> Create(int limit, TimeSpan window)
        => PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = window / limit,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    private static string Key(string kind, string subject, string addressKey)
        // The subject is client input: bound it, so a key cannot be made arbitrarily large.
        => string.Concat(kind, ":", subject.Length <= 256 ? subject : subject[..256], "|", addressKey);

    private static string AddressKey(IPAddress? address)
    {
        if (address is null)
        {
            return "-";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }
}
