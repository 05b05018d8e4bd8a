using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace TokenAuth.Server;

/// <summary>
/// Checks a user's name and password (the password grant and the login page) against the host's
/// <see cref="ITokenUserStore"/>: PBKDF2 hashes compared in constant time, one answer for an unknown user and a wrong
/// password, every failure no sooner than <see cref="FailedAuthenticationOptions.MinimumDuration"/>, throttled per
/// user name and address.
/// </summary>
internal sealed class UserAuthenticator(AuthenticationThrottle throttle, IOptions<TokenServerOptions> options)
{
    private const string ThrottleKind = "user";

    /// <summary>The message of every failed sign-in: it does not say whether the user exists.</summary>
    public const string FailureMessage = "The user name or password is incorrect.";

    /// <summary>The host's user store, or <see langword="null"/> when it registered none (then users cannot sign in).</summary>
    public static ITokenUserStore? Store(ProtocolRequest request) => request.Context.RequestServices.GetService<ITokenUserStore>();

    public async ValueTask<(TokenUser? User, OAuthError? Error)> AuthenticateAsync(ProtocolRequest request, ITokenUserStore store, string userName, string password)
    {
        var address = request.Context.Connection.RemoteIpAddress;
        // Throttled by the name as typed, case-folded, so that "Alice" and "alice" share their permits.
        var key = userName.ToUpperInvariant();
        if (throttle.Check(ThrottleKind, key, address) is { } wait)
        {
            return (null, OAuthError.Throttled(wait));
        }

        var user = await StoreGuard.RunAsync(() => store.FindByNameAsync(userName, request.Aborted), request.Aborted);
        if (user is not null && ClientSecretHasher.VerifyAny(password, user.PasswordHashes))
        {
            return (user, null);
        }

        throttle.RecordFailure(ThrottleKind, key, address);
        await ClientAuthenticator.DelayFailureAsync(request, options.Value.FailedAuthentication.MinimumDuration);
        return (null, OAuthError.InvalidGrant(FailureMessage));
    }
}
