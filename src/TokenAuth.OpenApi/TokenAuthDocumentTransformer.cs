using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace TokenAuth.OpenApi;

/// <summary>Adds the security schemes of the scheme's enabled token sources to the document's components.</summary>
/// <param name="authenticationScheme">The TokenAuth scheme described.</param>
internal sealed class TokenAuthDocumentTransformer(string authenticationScheme) : IOpenApiDocumentTransformer
{
    /// <inheritdoc />
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var options = context.ApplicationServices.GetRequiredService<IOptionsMonitor<TokenAuthOptions>>().Get(authenticationScheme);
        foreach (var (id, scheme) in TokenAuthSecuritySchemes.Describe(authenticationScheme, options))
        {
            // AddComponent, not Components.SecuritySchemes[id] = …: it also registers the scheme in the document's workspace,
            // which is what the operations' references resolve against when the document is written. A requirement whose
            // reference does not resolve is left out of the output without a word.
            if (document.Components?.SecuritySchemes?.ContainsKey(id) != true)
            {
                document.AddComponent<IOpenApiSecurityScheme>(id, scheme);
            }
        }

        return Task.CompletedTask;
    }
}
