using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace TokenAuth.Server;

/// <summary>
/// Authenticates the client of a token request (RFC 6749 §2.3.1): HTTP Basic, or <c>client_id</c> and
/// <c>client_secret</c> in the body, never both. Secrets are compared in constant time against hashes.
/// </summary>
internal sealed class ClientAuthenticator(IClientStore clients)
{
    public async ValueTask<(TokenClient? Client, OAuthError? Error)> AuthenticateAsync(
        HttpRequest request, IReadOnlyDictionary<string, StringValues> fields, CancellationToken cancellationToken)
    {
        string? clientId;
        string? secret;
        var authorization = request.Headers.Authorization.ToString();
        var formId = Field(fields, "client_id");
        var formSecret = Field(fields, "client_secret");
        if (authorization.Length > 0)
        {
            if (!TryParseBasic(authorization, out clientId, out secret))
            {
                return (null, OAuthError.InvalidClient("The Authorization header is not valid HTTP Basic client authentication."));
            }

            if (formSecret is not null)
            {
                return (null, OAuthError.InvalidRequest("The client authenticated twice (Authorization header and client_secret); use one method (RFC 6749 §2.3)."));
            }

            if (formId is not null && formId != clientId)
            {
                return (null, OAuthError.InvalidClient("client_id does not match the Authorization header."));
            }
        }
        else
        {
            clientId = formId;
            secret = formSecret;
        }

        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(secret))
        {
            return (null, OAuthError.InvalidClient("Client authentication is required: HTTP Basic, or client_id and client_secret."));
        }

        var client = await clients.FindByIdAsync(clientId, cancellationToken);
        // The dummy verification for an unknown client keeps both failures equally slow (no client enumeration).
        if (!ClientSecretHasher.VerifyAny(secret, client?.ClientSecretHashes) || client is null)
        {
            return (null, OAuthError.InvalidClient("Client authentication failed."));
        }

        return (client, null);
    }

    private static string? Field(IReadOnlyDictionary<string, StringValues> fields, string name)
        => fields.TryGetValue(name, out var values) ? values.ToString() : null;

    private static bool TryParseBasic(string header, out string? clientId, out string? secret)
    {
        clientId = secret = null;
        const string scheme = "Basic ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[scheme.Length..].Trim()));
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

        // RFC 6749 §2.3.1: id and secret are form-urlencoded before being joined.
        clientId = FormDecode(decoded[..colon]);
        secret = FormDecode(decoded[(colon + 1)..]);
        return true;
    }

    private static string FormDecode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
