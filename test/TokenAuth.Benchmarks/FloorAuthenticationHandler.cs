using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TokenAuth.Benchmarks;

/// <summary>
/// The cheapest scheme there is: any request with an <c>Authorization</c> header is the same prebuilt user. What it costs
/// over <c>/anon</c> is what ASP.NET Core's authentication and authorization cost under any scheme (a handler per request,
/// the policy, the ticket); what a real scheme costs over it is that scheme's own work.
/// </summary>
internal sealed class FloorAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "floor";

    private static readonly ClaimsPrincipal User = new(new ClaimsIdentity([new Claim("sub", "user-0001")], SchemeName));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        => Task.FromResult(Request.Headers.Authorization.Count == 0
            ? AuthenticateResult.NoResult()
            : AuthenticateResult.Success(new AuthenticationTicket(User, SchemeName)));
}
