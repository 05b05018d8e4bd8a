using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace TokenAuth;

/// <summary>
/// Reads a request body with a hard size bound, buffering it so the endpoint can read it again; parses
/// <c>application/x-www-form-urlencoded</c> bodies as strict UTF-8. Shared by the form token source and the token server.
/// </summary>
internal static class BoundedFormReader
{
    /// <summary>
    /// The outcome: the fields, or <see langword="null"/> with <paramref name="TooLarge"/> when over a bound, or with
    /// <paramref name="Malformed"/> when the body is not valid UTF-8.
    /// </summary>
    internal readonly record struct Result(Dictionary<string, StringValues>? Fields, bool TooLarge, bool Malformed = false, int ClientFault = 0);

    /// <summary>
    /// A body read: the text, or <see langword="null"/> with <paramref name="TooLarge"/> when over the bound, or with
    /// <paramref name="ClientFault"/> — the status the server gave it (400 for a body cut short, 408 for one sent too slowly)
    /// — when the client did not send it whole; or, with neither, when it is not UTF-8.
    /// </summary>
    internal readonly record struct Body(string? Text, bool TooLarge, int ClientFault = 0);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool IsUrlEncodedForm(string? contentType)
        => MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
           && mediaType.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    public static async ValueTask<Result> ReadAsync(HttpRequest request, int maxLength, CancellationToken cancellationToken)
    {
        var (body, tooLarge, clientFault) = await ReadStringAsync(request, maxLength, cancellationToken);
        if (body is null)
        {
            return new Result(null, tooLarge, Malformed: !tooLarge && clientFault == 0, clientFault);
        }

        try
        {
            return new Result(await ParseAsync(body, maxLength), TooLarge: false);
        }
        catch (InvalidDataException)
        {
            // Over the reader's own limits (too many fields), or a NUL decoded from %00: not searched, as if too large.
            return new Result(null, TooLarge: true);
        }
    }

    /// <summary>
    /// Parses a form body with <see cref="FormPipeReader"/>, the parser of ASP.NET Core's own <c>Request.ReadFormAsync</c>,
    /// so that TokenAuth sees the fields the endpoint sees. (<see cref="FormReader"/> reads <c>a=1&amp;&amp;b=2</c> as a
    /// field named <c>&amp;b</c> and drops <c>b</c> without <c>=</c>: a token or a parameter behind <c>&amp;&amp;</c> was
    /// invisible to the one-token and one-parameter checks.) Throws <see cref="InvalidDataException"/> past its limits and,
    /// as ASP.NET Core does, on a NUL character decoded from <c>%00</c>.
    /// </summary>
    public static async ValueTask<Dictionary<string, StringValues>> ParseAsync(string body, int maxLength)
    {
        var reader = new FormPipeReader(PipeReader.Create(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(body))))
        {
            ValueCountLimit = 256,
            KeyLengthLimit = 1024,
            ValueLengthLimit = maxLength,
        };
        return await reader.ReadFormAsync();
    }

    /// <summary>
    /// Reads at most <paramref name="maxLength"/> bytes of the body as strict UTF-8 and rewinds it. A body the client cut
    /// short or sent too slowly (the server's <see cref="BadHttpRequestException"/>) is the client's fault, answered as
    /// such — never an exception that escapes as the server's.
    /// </summary>
    public static async ValueTask<Body> ReadStringAsync(HttpRequest request, int maxLength, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxLength)
        {
            return new Body(null, TooLarge: true);
        }

        request.EnableBuffering();
        var buffer = ArrayPool<byte>.Shared.Rent(maxLength + 1);
        try
        {
            var read = 0;
            int n;
            try
            {
                while (read <= maxLength && (n = await request.Body.ReadAsync(buffer.AsMemory(read, maxLength + 1 - read), cancellationToken)) > 0)
                {
                    read += n;
                }
            }
            catch (BadHttpRequestException ex)
            {
                return new Body(null, TooLarge: ex.StatusCode == StatusCodes.Status413PayloadTooLarge, ClientFault: ex.StatusCode);
            }

            request.Body.Position = 0;
            if (read > maxLength)
            {
                return new Body(null, TooLarge: true);
            }

            try
            {
                return new Body(StrictUtf8.GetString(buffer, 0, read), TooLarge: false);
            }
            catch (DecoderFallbackException)
            {
                return new Body(null, TooLarge: false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }
}
