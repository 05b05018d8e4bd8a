using Microsoft.AspNetCore.OpenApi;
using TokenAuth;
using TokenAuth.OpenApi;

// In the DI namespace, like AddOpenApi itself: a web project's implicit usings find `o.AddTokenAuth()` without another using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Describes TokenAuth in an OpenAPI document made by <c>Microsoft.AspNetCore.OpenApi</c>:
/// <c>builder.Services.AddOpenApi(o =&gt; o.AddTokenAuth());</c>
/// </summary>
/// <remarks>
/// <para>
/// An extension of <see cref="OpenApiOptions"/> rather than a <c>services.AddTokenAuthOpenApi()</c>, because that is where
/// Microsoft.AspNetCore.OpenApi 10 takes its extensions: <see cref="OpenApiOptions"/> are named options, one instance per
/// document, and each carries its own document and operation transformers. So a host says which documents describe TokenAuth
/// (<c>AddOpenApi("internal", o =&gt; o.AddTokenAuth())</c> and not its public one), in the same call where it configures the
/// rest of that document, and no service registration is needed: the transformers read TokenAuth's options and the
/// authorization policies from the application's services each time a document is made.
/// </para>
/// <para>What the document then says, read from the scheme's options and the endpoints' metadata:</para>
/// <list type="bullet">
/// <item>a security scheme per enabled token source: <c>http</c> <c>bearer</c> for the <c>Authorization</c> header, an
/// <c>apiKey</c> in <c>header</c> for each of <see cref="TokenSourceOptions.HeaderNames"/>, an <c>apiKey</c> in <c>query</c>
/// for <see cref="TokenSourceOptions.QueryName"/>. The form field (RFC 6750 §2.2) has none: an OpenAPI security scheme can only
/// be in a header, the query or a cookie, never in a body; the bearer scheme's description mentions it instead;</item>
/// <item>on every operation that the authorization middleware would authorize with this scheme (<c>[Authorize]</c>,
/// <c>RequireAuthorization()</c>, <c>[RequireScope]</c>, a fallback policy) and that is neither <c>[AllowAnonymous]</c> nor
/// <c>SkipTokenAuthentication()</c>: one security requirement per token source (any one of them will do), each listing the
/// scopes of the endpoint's <see cref="ScopeRequirement"/>s. Scopes on <c>http</c> and <c>apiKey</c> schemes are role names in
/// OpenAPI 3.1 (the default version); a 3.0 document carries them too, though 3.0 expects them on OAuth schemes only;</item>
/// <item>the sudo parameters where sudo is active (<see cref="SudoOptions.Enabled"/> and an <see cref="ISudoUserStore"/>
/// registered), the tenant parameters where tenants are (<see cref="TenantOptions.Enabled"/> and an <see cref="ITenantStore"/>);
/// an operation whose policy requires a tenant (<c>RequireTenant()</c>) says so in its description and in
/// <c>x-tokenauth-tenant-required</c>;</item>
/// <item>the answers TokenAuth gives there — 400, 401, 403, 404 (where sudo or tenants apply), 503 — with the
/// <c>WWW-Authenticate</c> or <c>Retry-After</c> header and the RFC 9457 <c>application/problem+json</c> body it writes
/// (unless <see cref="TokenAuthOptions.WriteProblemDetails"/> is off). An answer the endpoint already documents is kept.</item>
/// </list>
/// </remarks>
public static class TokenAuthOpenApiOptionsExtensions
{
    /// <summary>Describes the default TokenAuth scheme (<see cref="TokenAuthDefaults.AuthenticationScheme"/>) in this document.</summary>
    /// <param name="options">The options of one OpenAPI document.</param>
    /// <returns>The options.</returns>
    public static OpenApiOptions AddTokenAuth(this OpenApiOptions options)
        => options.AddTokenAuth(TokenAuthDefaults.AuthenticationScheme);

    /// <summary>Describes the TokenAuth scheme named <paramref name="authenticationScheme"/> in this document.</summary>
    /// <param name="options">The options of one OpenAPI document.</param>
    /// <param name="authenticationScheme">The name the scheme was added under (<c>AddTokenAuth(name, …)</c>).</param>
    /// <returns>The options.</returns>
    public static OpenApiOptions AddTokenAuth(this OpenApiOptions options, string authenticationScheme)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(authenticationScheme);
        // Operation transformers run while the paths are built, document transformers after: the operations add the
        // components they use (answers, the problem schema), the document adds the security schemes, described once.
        options.AddOperationTransformer(new TokenAuthOperationTransformer(authenticationScheme));
        options.AddDocumentTransformer(new TokenAuthDocumentTransformer(authenticationScheme));
        return options;
    }
}
