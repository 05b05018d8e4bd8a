using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace TokenAuth.Server;

/// <summary>
/// Writes the answers of the token server in a profile's format: RFC 6749 §5.1 token responses and §5.2 errors,
/// camelCase, or inside an envelope. Every answer is JSON and never cached (RFC 6749 §5.1).
/// </summary>
internal static class ProfileResponseWriter
{
    // The answers are application/json, never HTML: quotes and apostrophes in descriptions need no \u escapes.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Task WriteTokenAsync(HttpContext context, TokenResponseFormat format, TokenAnswer answer, DateTimeOffset now)
    {
        if (format.Envelope is { } envelope)
        {
            return WriteAsync(context, StatusCodes.Status200OK, writer => WriteEnvelope(writer, context, envelope, now, success: true, envelope.SuccessCode, envelope.SuccessMessage, error: null, data: w =>
            {
                if (envelope.Data == EnvelopeData.AccessToken)
                {
                    w.WriteStringValue(answer.AccessToken);
                }
                else
                {
                    w.WriteStartObject();
                    WriteTokenMembers(w, format, answer);
                    w.WriteEndObject();
                }
            }));
        }

        return WriteAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            WriteTokenMembers(writer, format, answer);
            writer.WriteEndObject();
        });
    }

    /// <summary>A success without data: an empty 200 (RFC 7009 §2.2), or the envelope alone (seed 001's revoke).</summary>
    public static Task WriteDoneAsync(HttpContext context, TokenResponseFormat format, DateTimeOffset now)
    {
        NoStore(context.Response);
        if (format.Envelope is not { } envelope)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentLength = 0;
            return Task.CompletedTask;
        }

        return WriteAsync(context, StatusCodes.Status200OK, writer => WriteEnvelope(writer, context, envelope, now, success: true, envelope.SuccessCode, envelope.SuccessMessage, error: null, data: null));
    }

    public static Task WriteErrorAsync(HttpContext context, TokenServerProfile profile, TokenResponseFormat format, OAuthError error, DateTimeOffset now)
    {
        var response = context.Response;
        if (error.StatusCode == StatusCodes.Status401Unauthorized && profile.ClientAuthentication.HasFlag(ClientAuthenticationMethods.Basic))
        {
            // RFC 6749 §5.2: invalid_client with 401 names the authentication scheme the client should use.
            response.Headers.WWWAuthenticate = "Basic realm=\"token\", charset=\"UTF-8\"";
        }

        if (error.RetryAfter is { } wait)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (format.Envelope is { } envelope)
        {
            var status = envelope.ErrorsUseHttpStatus ? error.StatusCode : StatusCodes.Status200OK;
            return WriteAsync(context, status, writer => WriteEnvelope(writer, context, envelope, now, success: false, envelope.ErrorCode ?? error.StatusCode, error.Description, error.Error, data: null));
        }

        return WriteAsync(context, error.StatusCode, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("error", error.Error);
            // RFC 6749 §5.2: error_description is printable ASCII without '"' and '\'; a message that slips anything else in
            // (a '§', an echoed value) must not make the answer invalid.
            writer.WriteString(Name(format, "error_description"), OAuthError.Printable(error.Description, int.MaxValue));
            writer.WriteEndObject();
        });
    }

    public static async Task WriteAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json;charset=UTF-8";
        NoStore(response);
        using var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            body(writer);
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }

    /// <summary>The member name in the format's naming: <c>access_token</c> or <c>accessToken</c>.</summary>
    public static string Name(TokenResponseFormat format, string snakeCase)
    {
        if (format.Naming == MemberNaming.SnakeCase || !snakeCase.Contains('_', StringComparison.Ordinal))
        {
            return snakeCase;
        }

        return string.Create(snakeCase.Length - snakeCase.Count(c => c == '_'), snakeCase, static (chars, source) =>
        {
            var upper = false;
            var j = 0;
            foreach (var c in source)
            {
                if (c == '_')
                {
                    upper = true;
                    continue;
                }

                chars[j++] = upper ? char.ToUpperInvariant(c) : c;
                upper = false;
            }
        });
    }

    private static void WriteTokenMembers(Utf8JsonWriter writer, TokenResponseFormat format, TokenAnswer answer)
    {
        writer.WriteString(Name(format, "access_token"), answer.AccessToken);
        writer.WriteString(Name(format, "token_type"), format.TokenType);
        var seconds = Math.Max(0, (long)answer.ExpiresIn.TotalSeconds);
        if (format.ExpiresInAsString)
        {
            writer.WriteString(Name(format, "expires_in"), seconds.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNumber(Name(format, "expires_in"), seconds);
        }

        if (answer.RefreshToken is not null)
        {
            writer.WriteString(Name(format, "refresh_token"), answer.RefreshToken);
        }

        if (answer.Scopes.Count > 0)
        {
            writer.WriteString(Name(format, "scope"), string.Join(' ', answer.Scopes));
        }

        foreach (var (name, value) in answer.Extra)
        {
            writer.WriteString(Name(format, name), value);
        }
    }

    private static void WriteEnvelope(
        Utf8JsonWriter writer, HttpContext context, ResponseEnvelope envelope, DateTimeOffset now,
        bool success, int code, string message, string? error, Action<Utf8JsonWriter>? data)
    {
        writer.WriteStartObject();
        writer.WriteNumber(envelope.CodeMember, code);
        if (envelope.MessageMember is { } messageMember)
        {
            writer.WriteString(messageMember, message);
        }

        if (error is not null && envelope.ErrorMember is { } errorMember)
        {
            writer.WriteString(errorMember, error);
        }

        if (envelope.TrackIdMember is { } trackIdMember)
        {
            writer.WriteString(trackIdMember, TrackId(context, envelope.TrackingHeader));
        }

        if (envelope.Data != EnvelopeData.None)
        {
            writer.WritePropertyName(envelope.DataMember);
            if (data is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                data(writer);
            }
        }

        foreach (var member in envelope.NullMembers)
        {
            writer.WriteNull(member);
        }

        if (envelope.TimestampMember is { } timestampMember)
        {
            writer.WriteNumber(timestampMember, now.ToUnixTimeMilliseconds());
        }

        if (envelope.StatusMember is { } statusMember)
        {
            writer.WriteString(statusMember, success ? envelope.SuccessStatus : envelope.ErrorStatus);
        }

        if (envelope.SuccessFlagMember is { } flagMember)
        {
            writer.WriteBoolean(flagMember, success);
        }

        writer.WriteEndObject();
    }

    /// <summary>The caller's request id when it is short and printable (seed 004's <c>Request-Id</c>), else the trace identifier.</summary>
    private static string TrackId(HttpContext context, string header)
    {
        var value = context.Request.Headers[header].ToString();
        return value.Length is > 0 and <= 128 && value.All(c => c is > ' ' and <= '~') ? value : context.TraceIdentifier;
    }

    private static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
