using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TokenAuth.Server;

/// <summary>
/// The authorization endpoint's sign-in cookie: the user name (unique, unlike an id that may repeat across tenants)
/// and the sign-in time, protected with ASP.NET Core Data
/// Protection, valid for <see cref="TokenServerOptions.LoginLifetime"/>. <c>HttpOnly</c>, <c>SameSite=Lax</c> (it must
/// come along when a client sends the browser here), <c>Path=/</c>, and <c>Secure</c> outside Development — then also
/// named with the <c>__Host-</c> prefix, so that a sibling subdomain cannot plant one (RFC 6265bis §4.1.3.2).
/// </summary>
/// <remarks>
/// The lifetime is checked here against the injected <see cref="TimeProvider"/>, inside the protected payload, rather
/// than by <c>ITimeLimitedDataProtector</c>, which reads the system clock: one clock for codes, tokens and sign-ins.
/// Several server instances need a shared Data Protection key ring, as for any ASP.NET Core cookie.
/// </remarks>
internal sealed class LoginCookie(IDataProtectionProvider dataProtection, TimeProvider timeProvider, IOptions<TokenServerOptions> options, ILogger<LoginCookie> logger)
{
    private const string SecureName = "__Host-TokenAuth.Login";
    private const string DevelopmentName = "TokenAuth.Login";

    private readonly IDataProtector _protector = dataProtection.CreateProtector("TokenAuth.Server.AuthorizeEndpoint.LoginCookie.v2");

    /// <summary>Signs <paramref name="user"/> in: sets the cookie.</summary>
    public void SignIn(HttpContext context, TokenUser user)
    {
        var secure = IsSecure(context);
        if (secure && !context.Request.IsHttps)
        {
            Log.InsecureLoginCookie(logger);
        }

        var signedInAt = timeProvider.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var lifetime = options.Value.LoginLifetime;
        context.Response.Cookies.Append(secure ? SecureName : DevelopmentName, _protector.Protect(signedInAt + "|" + user.UserName), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = secure,
            Path = "/",
            MaxAge = lifetime,
            // The cookie is needed to sign in at all; a consent-banner policy must not drop it.
            IsEssential = true,
        });
    }

    /// <summary>The signed-in user: <see langword="null"/> without a cookie, when it is forged or expired, or when the store no longer knows the user.</summary>
    public async ValueTask<TokenUser?> FindUserAsync(HttpContext context, ITokenUserStore store)
    {
        if (context.Request.Cookies[IsSecure(context) ? SecureName : DevelopmentName] is not { Length: > 0 } value)
        {
            return null;
        }

        string payload;
        try
        {
            payload = _protector.Unprotect(value);
        }
        catch (CryptographicException)
        {
            // Forged, damaged, or protected with a key this server no longer has.
            return null;
        }

        var separator = payload.IndexOf('|', StringComparison.Ordinal);
        if (separator <= 0 || !long.TryParse(payload.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds))
        {
            return null;
        }

        var signedInAt = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        var now = timeProvider.GetUtcNow();
        if (signedInAt > now || now >= signedInAt + options.Value.LoginLifetime)
        {
            return null;
        }

        var userName = payload[(separator + 1)..];
        var user = await StoreGuard.RunAsync(() => store.FindByNameAsync(userName, context.RequestAborted), context.RequestAborted);
        // A store that matches names loosely (case) must still answer the very account that signed in.
        return user is not null && string.Equals(user.UserName, userName, StringComparison.Ordinal) ? user : null;
    }

    /// <summary>
    /// <c>Secure</c> unless the host runs in Development (plain-HTTP loopback); a host without an
    /// <see cref="IHostEnvironment"/> gets it when the request came over HTTPS.
    /// </summary>
    private static bool IsSecure(HttpContext context)
        => context.RequestServices.GetService<IHostEnvironment>() is { } environment ? !environment.IsDevelopment() : context.Request.IsHttps;
}
