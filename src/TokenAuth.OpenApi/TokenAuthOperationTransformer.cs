using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace TokenAuth.OpenApi;

/// <summary>
/// On an operation authorized with the scheme: its security requirements with scopes, the sudo and tenant parameters, and
/// TokenAuth's answers.
/// </summary>
/// <param name="authenticationScheme">The TokenAuth scheme described.</param>
internal sealed class TokenAuthOperationTransformer(string authenticationScheme) : IOpenApiOperationTransformer
{
    /// <summary>The operation extension saying that the endpoint requires a tenant (<c>RequireTenant()</c>).</summary>
    public const string TenantRequiredExtension = "x-tokenauth-tenant-required";

    /// <inheritdoc />
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var services = context.ApplicationServices;
        var authorization = await EndpointAuthorization.ReadAsync(context.Description.ActionDescriptor.EndpointMetadata, services, authenticationScheme);
        if (authorization is null || context.Document is not { } document)
        {
            return;
        }

        var options = services.GetRequiredService<IOptionsMonitor<TokenAuthOptions>>().Get(authenticationScheme);
        AddSecurity(operation, document, options, authorization);

        // Sudo and tenants are active only with their store registered, as in the handler (ImpersonationResolver).
        var isService = services.GetService<IServiceProviderIsService>();
        var sudo = options.Sudo.Enabled && isService?.IsService(typeof(ISudoUserStore)) == true;
        var tenants = options.Tenants.Enabled && isService?.IsService(typeof(ITenantStore)) == true;
        if (sudo)
        {
            AddSudoParameters(operation, options.Sudo);
        }

        if (tenants)
        {
            AddTenantParameters(operation, options.Tenants, authorization.RequiresTenant);
        }

        if (authorization.RequiresTenant)
        {
            // OpenAPI cannot say "one of these parameters, or a token bound to a tenant": an extension and the description do.
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions[TenantRequiredExtension] = new JsonNodeExtension(JsonValue.Create(true));
            var requirement = tenants
                ? $"Requires a tenant: `{options.Tenants.IdQueryName}` or `{options.Tenants.CodeQueryName}`, or a token bound to one; without it the answer is 403."
                : "Requires a token bound to a tenant; without one the answer is 403.";
            operation.Description = string.IsNullOrEmpty(operation.Description) ? requirement : operation.Description + "\n\n" + requirement;
        }

        TokenAuthResponses.Add(operation, document, authenticationScheme, options, notFound: sudo || tenants);
    }

    private void AddSecurity(OpenApiOperation operation, OpenApiDocument document, TokenAuthOptions options, EndpointAuthorization authorization)
    {
        var schemes = TokenAuthSecuritySchemes.Describe(authenticationScheme, options);
        operation.Security ??= [];
        // The security list is a choice: one requirement per way of sending the token (and per set of scopes that satisfies
        // the policy). The scopes are what the token must hold (OpenAPI 3.1 §4.8.30: role names for non-OAuth schemes).
        foreach (var scopes in authorization.ScopeAlternatives)
        {
            foreach (var (id, _) in schemes)
            {
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(id, document)] = [.. scopes] });
            }
        }
    }

    private static void AddSudoParameters(OpenApiOperation operation, SudoOptions sudo)
    {
        // No example value: UIs such as Scalar send examples by default, and a request would then act as someone else.
        var description = $"Act as another user (seed 001): `uid:…`, `loginName:…`, `email:…` or `mobile:…` (`uid:1001`). " +
            $"The token needs the `{sudo.Scope}` scope (else 403 insufficient_scope); an unknown user is 404.";
        if (sudo.Query)
        {
            AddParameter(operation, sudo.QueryName, ParameterLocation.Query, description);
        }

        if (sudo.Header)
        {
            AddParameter(operation, sudo.HeaderName, ParameterLocation.Header, description);
        }
    }

    private static void AddTenantParameters(OpenApiOperation operation, TenantOptions tenants, bool required)
    {
        var need = required ? " This endpoint requires a tenant: give this or the tenant's code, unless the token is bound to one." : string.Empty;
        var byId = "The tenant the request acts in, by id; an unknown tenant is 404." + need;
        var byCode = "The tenant the request acts in, by code; an unknown tenant is 404." + need;
        // The handler always reads the query; the headers only when TenantOptions.Headers is on.
        AddParameter(operation, tenants.IdQueryName, ParameterLocation.Query, byId);
        AddParameter(operation, tenants.CodeQueryName, ParameterLocation.Query, byCode);
        if (tenants.Headers)
        {
            AddParameter(operation, tenants.IdHeaderName, ParameterLocation.Header, byId);
            AddParameter(operation, tenants.CodeHeaderName, ParameterLocation.Header, byCode);
        }
    }

    private static void AddParameter(OpenApiOperation operation, string name, ParameterLocation location, string description)
    {
        operation.Parameters ??= [];
        // A parameter the endpoint declares itself (it reads the tenant too) is its own description.
        if (operation.Parameters.Any(p => p.In == location && string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        operation.Parameters.Add(new OpenApiParameter
        {
            Name = name,
            In = location,
            Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
    }
}
