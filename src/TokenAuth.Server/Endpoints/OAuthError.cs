using Microsoft.AspNetCore.Http;

namespace TokenAuth.Server;

/// <summary>An RFC 6749 §5.2 error answer.</summary>
internal sealed record OAuthError(string Error, string Description, int StatusCode = StatusCodes.Status400BadRequest)
{
    public static OAuthError InvalidRequest(string description) => new(OAuthErrors.InvalidRequest, description);

    public static OAuthError InvalidClient(string description) => new(OAuthErrors.InvalidClient, description, StatusCodes.Status401Unauthorized);
}
