namespace TokenAuth.Server;

/// <summary>
/// How the token server slows down guessing: failed client and user authentications are answered no sooner than
/// <see cref="MinimumDuration"/>, and throttled per client id (or user name) and remote address, so that an
/// attacker elsewhere cannot lock the legitimate client out. A throttled request gets 429 with <c>Retry-After</c>.
/// </summary>
public sealed class FailedAuthenticationOptions
{
    /// <summary>
    /// The least time a failed authentication takes, from the request's arrival: unknown clients, wrong secrets,
    /// unknown users and every hash format are then indistinguishable by timing. Keep it above the slowest
    /// verification (PBKDF2 at the default 100,000 iterations: about 20 ms). Default 100 ms.
    /// </summary>
    public TimeSpan MinimumDuration { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Failures allowed per client id (or user name) and address within <see cref="Window"/>. Default 10.</summary>
    public int PermitLimit { get; set; } = 10;

    /// <summary>Failures allowed per address, whatever the client or user, within <see cref="Window"/>. Default 100.</summary>
    public int AddressPermitLimit { get; set; } = 100;

    /// <summary>The window in which failures are counted; permits come back one at a time over it. Default one minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    internal void Validate()
    {
        if (MinimumDuration < TimeSpan.Zero || MinimumDuration > TimeSpan.FromSeconds(10))
        {
            throw new InvalidOperationException($"{nameof(TokenServerOptions.FailedAuthentication)}.{nameof(MinimumDuration)} must be between 0 and 10 seconds.");
        }

        if (PermitLimit < 1 || AddressPermitLimit < PermitLimit)
        {
            throw new InvalidOperationException($"{nameof(TokenServerOptions.FailedAuthentication)}.{nameof(PermitLimit)} must be at least 1 and {nameof(AddressPermitLimit)} at least {nameof(PermitLimit)}.");
        }

        if (Window < TimeSpan.FromSeconds(1))
        {
            throw new InvalidOperationException($"{nameof(TokenServerOptions.FailedAuthentication)}.{nameof(Window)} must be at least one second.");
        }
    }
}
