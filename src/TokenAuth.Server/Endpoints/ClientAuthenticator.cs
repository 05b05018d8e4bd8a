using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;

namespace TokenAuth.Server;

/// <summary>
/// Authenticates the client of a request the ways its profile allows (RFC 6749 §2.3): HTTP Basic, or the client id
/// and secret among the parameters — never both. Secrets are compared in constant time against their hashes;
/// every failure is answered no sooner than <see cref="FailedAuthenticationOptions.MinimumDuration"/> after the
/// request arrived, and counted by the <see cref="AuthenticationThrottle"/>.
/// </summary>
internal sealed class ClientAuthenticator(IClientStore clients, AuthenticationThrottle throttle, IOptions<TokenServerOptions> options)
{
    private const string ThrottleKind = "client";

    /// <summary>Authenticates the client; a public client may identify itself by id alone when <paramref name="allowPublic"/>.</summary>
    public async ValueTask<(TokenClient? Client, OAuthError? Error)> AuthenticateAsync(ProtocolRequest request, bool allowPublic)
    {
        var methods = request.Profile.ClientAuthentication;
        string? clientId = null;
        string? secret = null;
        var authorization = request.Context.Request.Headers.Authorization.ToString();
        var usesBasic = methods.HasFlag(ClientAuthenticationMethods.Basic) && authorization.StartsWith("Basic", StringComparison.OrdinalIgnoreCase)
                        && (authorization.Length == 5 || authorization[5] == ' ');
        var parameterId = methods.HasFlag(ClientAuthenticationMethods.Parameters) ? request[OAuthParameters.ClientId] : null;
        var parameterSecret = methods.HasFlag(ClientAuthenticationMethods.Parameters) ? request[OAuthParameters.ClientSecret] : null;

        if (usesBasic)
        {
            if (!TryParseBasic(authorization, request.Profile.BasicCredentialsFormEncoded, out clientId, out secret))
            {
                return (null, OAuthError.InvalidClient("The Authorization header is not valid HTTP Basic client authentication."));
            }

            if (parameterSecret is not null)
            {
                return (null, OAuthError.InvalidRequest($"The client authenticated twice (Authorization header and {request.Wire(OAuthParameters.ClientSecret)}); use one method (RFC 6749, section 2.3)."));
            }

            // A client_id beside Basic is allowed (RFC 6749 §4.1.3 asks public clients for it), but it must agree.
            var formId = request[OAuthParameters.ClientId];
            if (formId is not null && formId != clientId)
            {
                return (null, OAuthError.InvalidClient($"{request.Wire(OAuthParameters.ClientId)} does not match the Authorization header."));
            }
        }
        else
        {
            clientId = parameterId;
            secret = parameterSecret;
        }

        if (string.IsNullOrEmpty(clientId))
        {
            return (null, OAuthError.InvalidClient(Required(request)));
        }

        var address = request.Context.Connection.RemoteIpAddress;
        if (throttle.Check(ThrottleKind, clientId, address) is { } wait)
        {
            return (null, OAuthError.Throttled(wait));
        }

        var client = await StoreGuard.RunAsync(() => clients.FindByIdAsync(clientId, request.Aborted), request.Aborted);
        if (client is { IsPublic: true } && string.IsNullOrEmpty(secret) && allowPublic)
        {
            return (client, null);
        }

        if (string.IsNullOrEmpty(secret))
        {
            // Not a guess: nothing to count or to slow down, and the same answer for every client.
            return (null, OAuthError.InvalidClient(Required(request)));
        }

        if (client is { IsPublic: false } && ClientSecretHasher.VerifyAny(secret, client.ClientSecretHashes))
        {
            return (client, null);
        }

        throttle.RecordFailure(ThrottleKind, clientId, address);
        await DelayFailureAsync(request, options.Value.FailedAuthentication.MinimumDuration);
        return (null, OAuthError.InvalidClient("Client authentication failed."));
    }

    /// <summary>Authenticates the client when the profile asks for it; a profile without client authentication (seed 001's check and revoke) answers no client and no error.</summary>
    public ValueTask<(TokenClient? Client, OAuthError? Error)> AuthenticateIfRequiredAsync(ProtocolRequest request, bool allowPublic)
        => request.Profile.ClientAuthentication == ClientAuthenticationMethods.None
            ? ValueTask.FromResult<(TokenClient?, OAuthError?)>((null, null))
            : AuthenticateAsync(request, allowPublic);

    /// <summary>
    /// Waits until <paramref name="minimum"/> has passed since the request arrived, so that every failed authentication
    /// takes the same time: unknown client, wrong secret, SHA-256 or PBKDF2 hash. Wall-clock time on purpose — this is
    /// about what an attacker measures, not about token lifetimes.
    /// </summary>
    internal static async Task DelayFailureAsync(ProtocolRequest request, TimeSpan minimum)
    {
        // A timer may fire a fraction of a millisecond early; wait again until the minimum has really passed.
        TimeSpan remaining;
        while ((remaining = minimum - Stopwatch.GetElapsedTime(request.StartedAt)) > TimeSpan.Zero)
        {
            await Task.Delay(remaining, request.Aborted);
        }
    }

    private static string Required(ProtocolRequest request)
    {
        var methods = request.Profile.ClientAuthentication;
        var ways = new List<string>(2);
        if (methods.HasFlag(ClientAuthenticationMethods.Basic))
        {
            ways.Add("HTTP Basic");
        }

        if (methods.HasFlag(ClientAuthenticationMethods.Parameters))
        {
            ways.Add($"{request.Wire(OAuthParameters.ClientId)} and {request.Wire(OAuthParameters.ClientSecret)}");
        }

        return $"Client authentication is required: {string.Join(", or ", ways)}.";
    }

    internal static bool TryParseBasic(string header, bool formEncoded, out string clientId, out string secret)
    {
        clientId = secret = string.Empty;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[5..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        // RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined; a literal colon in the secret
        // is allowed after the first one (RFC 7617 §2: the user-id cannot contain one).
        clientId = formEncoded ? FormDecode(decoded[..colon]) : decoded[..colon];
        secret = formEncoded ? FormDecode(decoded[(colon + 1)..]) : decoded[(colon + 1)..];
        return clientId.Length > 0;
    }

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
