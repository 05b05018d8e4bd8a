using System.Text.Json;

namespace TokenAuth;

/// <summary>A host's protocol made of two delegates (<see cref="IntrospectionProtocols.Create"/>).</summary>
internal sealed class DelegateIntrospectionProtocol(
    Func<Uri, string, IntrospectionOptions, HttpRequestMessage> createRequest,
    Func<IntrospectionResponse, TokenCheckResult> readResponse) : IIntrospectionProtocol
{
    public HttpRequestMessage CreateRequest(Uri endpoint, string token, IntrospectionOptions options)
        => createRequest(endpoint, token, options) ?? throw new InvalidOperationException("The introspection protocol wrote no request.");

    public async ValueTask<TokenCheckResult> ReadAsync(HttpResponseMessage response, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(timeProvider);
        using var document = await IntrospectionJson.ParseAsync(response.Content, cancellationToken);
        var answer = new IntrospectionResponse(response.StatusCode, document?.RootElement ?? default(JsonElement), timeProvider.GetUtcNow());
        return readResponse(answer) ?? throw new InvalidOperationException("The introspection protocol gave no result.");
    }
}
