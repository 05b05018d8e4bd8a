using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace TokenAuth.OpenApi;

/// <summary>
/// The answers TokenAuth gives on an authorized endpoint, as the handler writes them (TokenAuthHandler's challenge and
/// forbid, ProblemWriter's body): described once as response components and referenced by each operation.
/// </summary>
internal static class TokenAuthResponses
{
    /// <summary>The schema of the RFC 9457 body TokenAuth writes.</summary>
    public const string ProblemSchemaId = "TokenAuthProblemDetails";

    private const string ProblemJson = "application/problem+json";

    /// <summary>References the scheme's answers from <paramref name="operation"/>, adding the components on first use.</summary>
    public static void Add(OpenApiOperation operation, OpenApiDocument document, string authenticationScheme, TokenAuthOptions options, bool notFound)
    {
        var challenge = options.Sources.AuthorizationScheme;
        var answers = new List<(string Status, string Name, OpenApiResponse Response)>
        {
            ("400", "BadRequest", Response(document, options,
                "The request carries two different access tokens (RFC 6750 §2: one per request): `invalid_request`.",
                WwwAuthenticate($"{challenge} error=\"invalid_request\", error_description=\"…\""))),
            ("401", "Unauthorized", Response(document, options,
                "No access token (a bare challenge), or one that is unknown, expired, revoked or malformed: `invalid_token`.",
                WwwAuthenticate($"{challenge} error=\"invalid_token\", error_description=\"…\""))),
            ("403", "Forbidden", Response(document, options,
                "The token lacks a scope this endpoint requires (`insufficient_scope`, with the `WWW-Authenticate` challenge naming " +
                "the scope; RFC 6750 §3.1), or another requirement of the endpoint's policy is not met (no challenge).",
                WwwAuthenticate($"{challenge} error=\"insufficient_scope\", error_description=\"…\", scope=\"…\""))),
            ("503", "ServiceUnavailable", Response(document, options,
                "A backend TokenAuth validates against (token store, introspection, JWKS, sudo or tenant store) is unavailable: " +
                "TokenAuth fails closed, never with a 401 and never letting the request through.",
                ("Retry-After", new OpenApiHeader
                {
                    Description = "Seconds after which to try again (RFC 9110 §10.2.3).",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
                }))),
        };
        if (notFound)
        {
            answers.Insert(3, ("404", "NotFound", Response(document, options,
                "The user named by sudo, or the tenant named by the tenant parameters, does not exist.", header: null)));
        }

        operation.Responses ??= [];
        foreach (var (status, name, response) in answers)
        {
            var id = $"{authenticationScheme}.{name}";
            if (document.Components?.Responses?.ContainsKey(id) != true)
            {
                document.AddComponent<IOpenApiResponse>(id, response);
            }

            // An answer the endpoint documents itself (a 404 of its own, a 400 for its validation) is its to describe.
            operation.Responses.TryAdd(status, new OpenApiResponseReference(id, document));
        }
    }

    private static (string, OpenApiHeader) WwwAuthenticate(string example) => ("WWW-Authenticate", new OpenApiHeader
    {
        Description = "The RFC 6750 §3 challenge.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        Example = JsonValue.Create(example),
    });

    private static OpenApiResponse Response(OpenApiDocument document, TokenAuthOptions options, string description, (string Name, OpenApiHeader Header)? header)
    {
        var response = new OpenApiResponse { Description = description };
        if (header is { } h)
        {
            response.Headers = new Dictionary<string, IOpenApiHeader> { [h.Name] = h.Header };
        }

        if (options.WriteProblemDetails)
        {
            EnsureProblemSchema(document);
            response.Content = new Dictionary<string, OpenApiMediaType>
            {
                [ProblemJson] = new() { Schema = new OpenApiSchemaReference(ProblemSchemaId, document) },
            };
        }

        return response;
    }

    private static void EnsureProblemSchema(OpenApiDocument document)
    {
        if (document.Components?.Schemas?.ContainsKey(ProblemSchemaId) == true)
        {
            return;
        }

        static OpenApiSchema Text(string description, string? format = null)
            => new() { Type = JsonSchemaType.String, Format = format, Description = description };

        // Exactly the members ProblemWriter writes (RFC 9457 §3.1, plus the OAuth error code and the trace id).
        document.AddComponent<IOpenApiSchema>(ProblemSchemaId, new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 9457 problem details, as TokenAuth writes them.",
            Required = new HashSet<string>(StringComparer.Ordinal) { "type", "title", "status", "detail", "traceId" },
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                ["type"] = Text("The RFC section that defines the error.", "uri"),
                ["title"] = Text("The status's reason phrase."),
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status." },
                ["detail"] = Text("What went wrong, for a developer."),
                ["error"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "The OAuth error code (RFC 6750 §3.1), when there is one.",
                    Enum = [.. new[] { TokenAuthErrors.InvalidRequest, TokenAuthErrors.InvalidToken, TokenAuthErrors.InsufficientScope, TokenAuthErrors.TemporarilyUnavailable, TokenAuthErrors.AccessDenied, TokenAuthErrors.NotFound }.Select(e => (JsonNode)JsonValue.Create(e))],
                },
                ["traceId"] = Text("The request's trace identifier, to find it in the logs."),
            },
        });
    }
}
