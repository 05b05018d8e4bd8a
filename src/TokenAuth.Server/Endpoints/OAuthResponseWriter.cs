using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace TokenAuth.Server;

/// <summary>Writes RFC 6749 §5.1 token responses and §5.2 errors: JSON, never cached.</summary>
internal static class OAuthResponseWriter
{
    public static Task WriteTokenAsync(HttpContext context, IssuedToken token)
        => WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteString("access_token", token.AccessToken);
            writer.WriteString("token_type", "Bearer");
            writer.WriteNumber("expires_in", (long)token.Lifetime.TotalSeconds);
            if (token.RefreshToken is not null)
            {
                writer.WriteString("refresh_token", token.RefreshToken);
            }

            if (token.Scopes.Count > 0)
            {
                writer.WriteString("scope", string.Join(' ', token.Scopes));
            }
        });

    public static Task WriteErrorAsync(HttpContext context, OAuthError error, TimeSpan? retryAfter = null)
    {
        if (error.StatusCode == StatusCodes.Status401Unauthorized)
        {
            // RFC 6749 §5.2: invalid_client with 401 carries the authentication scheme the client should use.
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"token\", charset=\"UTF-8\"";
        }

        if (retryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        return WriteAsync(context, error.StatusCode, writer =>
        {
            writer.WriteString("error", error.Error);
            writer.WriteString("error_description", error.Description);
        });
    }

    private static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json;charset=UTF-8";
        // RFC 6749 §5.1: responses carrying tokens must not be cached.
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }
}
