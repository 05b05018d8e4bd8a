using System.Text;
using Microsoft.AspNetCore.Http;

namespace TokenAuth.Tests.Extraction;

/// <summary>
/// What mutation testing (test/mutation.sh, group <c>extraction</c>) found untested in reading form bodies: which message
/// a body the client did not send whole is refused with (the Kestrel tests can only see the connection closed or a bare
/// status, depending on timing), and that a form over the parser's own limits is reported as too large — what the
/// authorization endpoint answers 413 for — not as a body that is not UTF-8.
/// </summary>
public class FormReadingMutationTests
{
    [Theory]
    [InlineData(StatusCodes.Status400BadRequest, "The request body ended before its announced length.")]
    [InlineData(StatusCodes.Status408RequestTimeout, "The request body was sent too slowly.")]
    public async Task FormSource_BodyNotReceivedWhole_RefusedSayingHow(int status, string expected)
    {
        var context = FormRequest(new FaultingStream(new BadHttpRequestException("the client's fault", status)), length: 300);

        var result = await TokenExtractor.ExtractAsync(context, new TokenSourceOptions(), CancellationToken.None);

        Assert.Null(result.Token);
        Assert.Equal(TokenSource.Form, result.Source);
        Assert.Equal(expected, result.Error);
    }

    [Fact]
    public async Task FormSource_BodyOverTheServersLimit_NotSearchedAndNoFault()
    {
        // Kestrel's own 413 (MaxRequestBodySize) is a body too large, not one the client failed to send.
        var context = FormRequest(new FaultingStream(new BadHttpRequestException("too large", StatusCodes.Status413PayloadTooLarge)), length: 300);

        var result = await TokenExtractor.ExtractAsync(context, new TokenSourceOptions(), CancellationToken.None);

        Assert.Equal(default, result);
    }

    [Theory]
    [InlineData("step=a%00b")]
    [InlineData(null)]   // 257 fields, one more than the parser's ValueCountLimit
    public async Task ReadAsync_OverTheParsersLimits_TooLargeNotMalformed(string? body)
    {
        body ??= string.Join('&', Enumerable.Range(0, 257).Select(i => $"f{i}=v"));
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = FormRequest(new MemoryStream(bytes), bytes.Length);

        var result = await BoundedFormReader.ReadAsync(context.Request, 64 * 1024, CancellationToken.None);

        Assert.Null(result.Fields);
        Assert.True(result.TooLarge);
        Assert.Equal(0, result.ClientFault);
    }

    private static DefaultHttpContext FormRequest(Stream body, long length)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = "application/x-www-form-urlencoded";
        context.Request.ContentLength = length;
        context.Request.Body = body;
        return context;
    }

    /// <summary>A request body whose every read fails as Kestrel's does for a client that stops sending.</summary>
    private sealed class FaultingStream(Exception fault) : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromException<int>(fault);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => Task.FromException<int>(fault);
    }
}
