using System.Net;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace TokenAuth.Tests.OpenApi;

/// <summary>Fetches an OpenAPI document from an app and reads it back with Microsoft.OpenApi's own reader, as a client would.</summary>
internal static class OpenApiDocuments
{
    public static async Task<OpenApiDocument> ReadAsync(HttpClient client, string path = "/openapi/v1.json")
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var (document, diagnostic) = await OpenApiDocument.LoadAsync(body, OpenApiConstants.Json, new OpenApiReaderSettings());
        Assert.NotNull(diagnostic);
        Assert.Empty(diagnostic.Errors);
        Assert.NotNull(document);
        return document;
    }

    public static OpenApiOperation Operation(this OpenApiDocument document, string method, string path)
    {
        Assert.True(document.Paths.TryGetValue(path, out var item), $"{path} is not in the document");
        Assert.True(item.Operations!.TryGetValue(new HttpMethod(method), out var operation), $"{method} {path} is not in the document");
        return operation;
    }

    /// <summary>Each security requirement as (scheme id, scopes), in document order.</summary>
    public static List<(string Scheme, string Scopes)> Requirements(this OpenApiOperation operation)
        => [.. (operation.Security ?? []).SelectMany(r => r.Select(pair => (pair.Key.Reference.Id!, string.Join(' ', pair.Value))))];

    public static bool HasParameter(this OpenApiOperation operation, string name, ParameterLocation location)
        => operation.Parameters?.Any(p => p.Name == name && p.In == location) == true;
}
