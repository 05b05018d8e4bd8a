using Microsoft.AspNetCore.Authorization;
using Scalar.AspNetCore;
using TokenAuth;
using TokenAuth.Sample;
using TokenAuth.Sample.Demo;
using TokenAuth.Server;

var builder = WebApplication.CreateBuilder(args);

// Tokens and grants live in memory unless a Redis connection string is configured (ConnectionStrings__Redis=localhost:6379).
if (builder.Configuration.GetConnectionString("Redis") is { Length: > 0 } redis)
{
    builder.Services.AddTokenAuthRedisStore(redis);
    builder.Services.AddTokenAuthRedisGrantStore(redis);   // refresh tokens and codes too: redeemed once, on any node
}

// Options come from "Authentication:Schemes:TokenAuth" in appsettings.json (UseTokenStore = true).
builder.Services.AddTokenAuth();
builder.Services.AddTokenAuthServer(o =>
{
    builder.Configuration.GetSection("TokenServer").Bind(o);
    // Beside the RFC endpoints (/oauth/token, /oauth/authorize, /oauth/revoke, /oauth/introspect), each seed
    // document's own routes in its own shape, so that a client written from the document works unchanged.
    o.Profiles.Add(TokenServerProfiles.QueryStringToken("/api/oauth2/server/tokens"));          // seed 001
    o.Profiles.Add(TokenServerProfiles.QueryStringCheck("/api/oauth2/server/tokens/check"));
    o.Profiles.Add(TokenServerProfiles.QueryStringRevoke("/api/oauth2/server/tokens/revoke"));
    o.Profiles.Add(TokenServerProfiles.CamelCaseJsonToken("/oauth2/token/"));                   // seed 002
    o.Profiles.Add(TokenServerProfiles.ResultEnvelopeToken("/api-uaa/oauth/token"));            // seed 003
    var uaaAuthorize = TokenServerProfiles.Authorize("/api-uaa/oauth/authorize", "uaa-authorize");
    uaaAuthorize.Response.TokenType = "bearer";                                                // as seed 003 spells it
    o.Profiles.Add(uaaAuthorize);
    o.Profiles.Add(TokenServerProfiles.CodeMessageEnvelopeToken("/openapi/auth/credential"));   // seed 004
});
// Users of the password and code grants (and of seed 002's userId): the demo users.
builder.Services.AddTokenAuthUsers<DemoUserStore>(ServiceLifetime.Singleton);

// Sudo (?sudo=uid:1001, tokens with the "sudo" scope) and tenants (?tenantId=t-100 / ?tenantCode=acme),
// resolved from the "Demo" section of appsettings.json.
builder.Services.Configure<DemoOptions>(builder.Configuration.GetSection(DemoOptions.Section));
builder.Services.AddTokenAuthSudo<InMemorySudoUserStore>(ServiceLifetime.Singleton);
builder.Services.AddTokenAuthTenants<InMemoryTenantStore>(ServiceLifetime.Singleton);
builder.Services.AddAuthorizationBuilder()
    .AddPolicy("write", policy => policy.RequireScope("write"));
builder.Services.AddControllers();
// GET /healthz: 200 "Healthy", or 503 "Unhealthy" while the token store (Redis, when configured) cannot be reached.
builder.Services.AddHealthChecks().AddTokenAuth();
// GET /openapi/v1.json (Development): the token sources as security schemes, each endpoint's scopes, sudo and tenant parameters.
builder.Services.AddOpenApi(o => o.AddTokenAuth());

var app = builder.Build();

app.MapTokenAuthServer();
// RFC 8414 metadata, so that another instance (or any resource server) finds this one's endpoints from its address alone:
// Authentication__Schemes__TokenAuth__Introspection__Authority=http://localhost:5000 makes it a resource server of this one.
app.MapGet("/.well-known/oauth-authorization-server", (HttpRequest request) => Results.Json(AuthorizationServerMetadata.For(
        builder.Configuration["TokenServer:Issuer"] is { Length: > 0 } issuer ? issuer.TrimEnd('/') : $"{request.Scheme}://{request.Host}{request.PathBase}")))
    .SkipTokenAuthentication();
app.MapHealthChecks("/healthz").SkipTokenAuthentication();
app.MapGet("/api/public", () => Results.Ok(new { message = "Anyone may read this." }));
app.MapMethods("/api/me", [HttpMethods.Get, HttpMethods.Post], (HttpContext context) => Results.Ok(MeResponse.From(context)))
    .RequireAuthorization()
    .DisableAntiforgery();
app.MapGet("/api/tenant/me", (HttpContext context) => Results.Ok(MeResponse.From(context)))
    .RequireAuthorization(p => p.RequireTenant());
app.MapPost("/api/notes", (NoteRequest note, HttpContext context) =>
        Results.Created($"/api/notes/{Guid.NewGuid():N}", new { note.Text, author = context.User.FindFirst(TokenAuthClaimTypes.Subject)?.Value }))
    .RequireAuthorization("write");
app.MapControllers();
if (app.Environment.IsDevelopment())
{
    // GET /scalar: the document and its UI are anonymous and read no token. Scalar serves its script from this app (no CDN);
    // its default fonts, telemetry and AI agent would reach scalar.com, so they are off and the page works offline.
    app.MapOpenApi().SkipTokenAuthentication().AllowAnonymous();
    app.MapScalarApiReference(o => o
            .DisableDefaultFonts().DisableTelemetry().DisableAgent().HideDeveloperTools()
            .AddPreferredSecuritySchemes("TokenAuth.Bearer"))
        .SkipTokenAuthentication().AllowAnonymous();
}

app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine(
    $"TokenAuth sample ready. Get a token: curl -s -X POST {app.Urls.FirstOrDefault() ?? "http://localhost:5000"}/oauth/token " +
    "-d grant_type=client_credentials -d client_id=demo-client -d client_secret=demo-secret"));

app.Run();

/// <summary>The sample's entry point, visible to the integration tests.</summary>
public partial class Program;
