using System.Net.Http.Headers;
using System.Text;

namespace TokenAuth.Tests.Hostile;

/// <summary>
/// Builds the rows' requests. Headers are added without validation and bodies are sent as given, byte for byte: the
/// point is to send what a hostile client sends, not what HttpClient would let a polite one send.
/// </summary>
internal static class Req
{
    public static HttpRequestMessage Get(string uri) => new(HttpMethod.Get, uri);

    public static HttpRequestMessage Post(string uri) => new(HttpMethod.Post, uri);

    public static HttpRequestMessage Bearer(this HttpRequestMessage request, string token) => request.Header("Authorization", "Bearer " + token);

    public static HttpRequestMessage Basic(this HttpRequestMessage request, string id, string secret)
        => request.Header("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(id + ":" + secret)));

    public static HttpRequestMessage Header(this HttpRequestMessage request, string name, string value)
    {
        if (!request.Headers.TryAddWithoutValidation(name, value))
        {
            throw new InvalidOperationException($"HttpClient refused the header {name}.");
        }

        return request;
    }

    /// <summary>A form body, encoded as <see cref="FormUrlEncodedContent"/> does.</summary>
    public static HttpRequestMessage Form(this HttpRequestMessage request, params (string Name, string Value)[] fields)
    {
        request.Content = new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        return request;
    }

    /// <summary>A body of exactly these bytes, with this Content-Type (none when <see langword="null"/>) and a Content-Length.</summary>
    public static HttpRequestMessage Body(this HttpRequestMessage request, byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null && !content.Headers.TryAddWithoutValidation("Content-Type", contentType))
        {
            throw new InvalidOperationException($"HttpClient refused the Content-Type {contentType}.");
        }

        request.Content = content;
        return request;
    }

    public static HttpRequestMessage Body(this HttpRequestMessage request, string body, string? contentType)
        => request.Body(Encoding.UTF8.GetBytes(body), contentType);

    public static HttpRequestMessage Json(this HttpRequestMessage request, string json) => request.Body(json, "application/json");

    /// <summary>A multipart/form-data body with these fields.</summary>
    public static HttpRequestMessage Multipart(this HttpRequestMessage request, params (string Name, string Value)[] fields)
    {
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            content.Add(new StringContent(value), name);
        }

        request.Content = content;
        return request;
    }

    /// <summary>A body of unknown length, sent with <c>Transfer-Encoding: chunked</c>.</summary>
    public static HttpRequestMessage Chunked(this HttpRequestMessage request, byte[] body, string contentType)
    {
        var content = new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Content = content;
        request.Headers.TransferEncodingChunked = true;
        return request;
    }

    /// <summary>The header exactly as given, bytes HttpClient would re-format or drop included (see <c>HostileSample.Transport</c>).</summary>
    public static HttpRequestMessage Raw(this HttpRequestMessage request, string name, string value)
        => request.Header(HostileSample.RawHeader, name + ":" + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)));

    /// <summary>The body ends in Kestrel's fault for a client that stops early (400) or stalls (408).</summary>
    public static HttpRequestMessage BodyFault(this HttpRequestMessage request, int status)
        => request.Header(HostileSample.BodyFaultHeader, status.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
