using System.Security.Claims;
using System.Text.Json;
using TokenAuth;

namespace TokenAuth.Sample;

/// <summary>What <c>/api/me</c> answers: who the token says the caller is, and where the token came from.</summary>
public sealed record MeResponse(
    string? Subject,
    string? Name,
    string? ClientId,
    IReadOnlyList<string> Scopes,
    string? TenantId,
    string? TenantCode,
    string? Actor,
    string? TokenSource)
{
    public static MeResponse From(HttpContext context)
    {
        var user = context.User;
        var identity = user.Identity as ClaimsIdentity;
        var feature = context.Features.Get<ITokenAuthFeature>();
        return new MeResponse(
            user.FindFirst(TokenAuthClaimTypes.Subject)?.Value,
            user.FindFirst(TokenAuthClaimTypes.Name)?.Value,
            user.FindFirst(TokenAuthClaimTypes.ClientId)?.Value,
            [.. user.FindAll(TokenAuthClaimTypes.Scope).Select(c => c.Value)],
            user.FindFirst(TokenAuthClaimTypes.TenantId)?.Value,
            user.FindFirst(TokenAuthClaimTypes.TenantCode)?.Value,
            identity?.Actor?.FindFirst(TokenAuthClaimTypes.ClientId)?.Value ?? identity?.Actor?.FindFirst(TokenAuthClaimTypes.Subject)?.Value,
            feature is null ? null : JsonNamingPolicy.CamelCase.ConvertName(feature.Source.ToString()));
    }
}

/// <summary>The body of <c>POST /api/notes</c>.</summary>
public sealed record NoteRequest(string Text);
