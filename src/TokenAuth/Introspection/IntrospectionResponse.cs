using System.Net;
using System.Text.Json;

namespace TokenAuth;

/// <summary>An authorization server's answer as a mapping made with <see cref="IntrospectionProtocols.Create"/> sees it.</summary>
public sealed class IntrospectionResponse
{
    internal IntrospectionResponse(HttpStatusCode statusCode, JsonElement json, DateTimeOffset now)
    {
        StatusCode = statusCode;
        Json = json;
        Now = now;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The body parsed as JSON; <see cref="JsonValueKind.Undefined"/> when it is empty or not JSON.</summary>
    public JsonElement Json { get; }

    /// <summary>When the answer arrived, by the scheme's clock: the base of relative lifetimes (<c>expires_in</c>).</summary>
    public DateTimeOffset Now { get; }
}
