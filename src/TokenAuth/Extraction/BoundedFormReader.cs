using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace TokenAuth;

/// <summary>
/// Reads an <c>application/x-www-form-urlencoded</c> body with a hard size bound, buffering it so the
/// endpoint can read it again. Shared by the form token source and the token server.
/// </summary>
internal static class BoundedFormReader
{
    /// <summary>The outcome: the fields, or <see langword="null"/> with <paramref name="TooLarge"/> when over the bound.</summary>
    internal readonly record struct Result(Dictionary<string, StringValues>? Fields, bool TooLarge);

    public static bool IsUrlEncodedForm(string? contentType)
        => MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
           && mediaType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    public static async ValueTask<Result> ReadAsync(HttpRequest request, int maxLength, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxLength)
        {
            return new Result(null, TooLarge: true);
        }

        request.EnableBuffering();
        var buffer = ArrayPool<byte>.Shared.Rent(maxLength + 1);
        try
        {
            var read = 0;
            int n;
            while (read <= maxLength && (n = await request.Body.ReadAsync(buffer.AsMemory(read, maxLength + 1 - read), cancellationToken)) > 0)
            {
                read += n;
            }

            request.Body.Position = 0;
            if (read > maxLength)
            {
                return new Result(null, TooLarge: true);
            }

            var body = System.Text.Encoding.UTF8.GetString(buffer, 0, read);
            using var reader = new FormReader(body) { ValueCountLimit = 256, KeyLengthLimit = 1024, ValueLengthLimit = maxLength };
            return new Result(reader.ReadForm(), TooLarge: false);
        }
        catch (InvalidDataException)
        {
            // Over the reader's own limits (too many fields): as good as too large.
            request.Body.Position = 0;
            return new Result(null, TooLarge: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }
}
