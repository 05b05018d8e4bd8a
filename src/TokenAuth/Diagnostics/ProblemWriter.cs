using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace TokenAuth;

/// <summary>Writes RFC 9457 problem details for TokenAuth's own failures, without reflection.</summary>
internal static class ProblemWriter
{
    public static async Task WriteAsync(HttpContext context, int status, string? error, string detail)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.ContentType = "application/problem+json";
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", TypeFor(status, error));
            writer.WriteString("title", TitleFor(status));
            writer.WriteNumber("status", status);
            writer.WriteString("detail", detail);
            if (error is not null)
            {
                writer.WriteString("error", error);
            }

            writer.WriteString("traceId", context.TraceIdentifier);
            writer.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    private static string TypeFor(int status, string? error) => error switch
    {
        TokenAuthErrors.InvalidRequest or TokenAuthErrors.InvalidToken or TokenAuthErrors.InsufficientScope
            => "https://www.rfc-editor.org/rfc/rfc6750#section-3.1",
        _ => status switch
        {
            StatusCodes.Status503ServiceUnavailable => "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4",
            StatusCodes.Status403Forbidden => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4",
            StatusCodes.Status404NotFound => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5",
            StatusCodes.Status400BadRequest => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1",
            _ => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2",
        },
    };

    private static string TitleFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad Request",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status404NotFound => "Not Found",
        StatusCodes.Status503ServiceUnavailable => "Service Unavailable",
        _ => "Error",
    };
}
