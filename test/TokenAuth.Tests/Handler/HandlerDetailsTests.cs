using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TokenAuth.Tests.Impersonation;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Handler.Http;

namespace TokenAuth.Tests.Handler;

/// <summary>
/// What the handler hands on besides the status code: the log event of each outcome (with the hash prefix, never the
/// token), the cache headers of a query token, what its events may change (principal, result) and see (the failure),
/// the saved token, skipped endpoints, and the exact problem detail and challenge texts with error details on and off.
/// </summary>
public sealed class HandlerDetailsTests
{
    private const string Token = "opaque-token-value-0123456789";

    private static readonly FixedValidator ValidUser = new(TokenCheckResult.Valid(new TokenInfo { Subject = "u1", Scopes = ["read"], ExpiresAt = TestApp.Start.AddHours(1) }));

    // ---- Log events ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Logs_NoToken_TokenNotFound()
    {
        await using var app = await TestApp.StartAsync(o => o.Validator = ValidUser);

        await app.Client.GetAsync("/protected");

        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "TokenNotFound");
    }

    [Fact]
    public async Task Logs_TwoTokens_InvalidRequest()
    {
        await using var app = await TestApp.StartAsync(o => o.Validator = ValidUser);

        await app.Client.SendAsync(TestApp.Get("/protected?access_token=another-token", Token));

        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "InvalidRequest");
        Assert.DoesNotContain(Token, app.Logs.TextOutsideHostingRequestLines, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_MalformedToken_RefusedWithoutAHash()
    {
        // A token refused for its shape is not hashed: the log says "-" where a hash prefix would be.
        await using var app = await TestApp.StartAsync(o => o.Validator = ValidUser);

        await app.Client.GetAsync("/protected?access_token=%01abc");

        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "TokenRefused" && e.Text.Contains("TokenHash=-,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logs_Validated_AtDebugWithTheHashPrefix()
    {
        await using var app = await TestApp.StartAsync(o => o.Validator = ValidUser);

        await app.Client.SendAsync(TestApp.Get("/protected", Token));

        var entry = Assert.Single(app.Logs.Entries, e => e.EventId.Name == "TokenValidated");
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, entry.Level);
        Assert.Contains($"TokenHash={TokenHash.Compute(Token).Prefix},", entry.Text, StringComparison.Ordinal);
        Assert.Contains("Subject=u1", entry.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, app.Logs.TextOutsideHostingRequestLines, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_ValidatorThrows_ValidatorFaulted()
    {
        await using var app = await TestApp.StartAsync(o => o.Validator = new ThrowingValidator());

        await app.Client.SendAsync(TestApp.Get("/protected", Token));

        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "ValidatorFaulted" && e.Text.Contains(TokenHash.Compute(Token).Prefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logs_ValidatorUnavailable_ValidatorUnavailableWithItsReason()
    {
        await using var app = await TestApp.StartAsync(o => o.Validator = new FixedValidator(TokenCheckResult.Unavailable("The authority is down.")));

        await app.Client.SendAsync(TestApp.Get("/protected", Token));

        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "ValidatorUnavailable" && e.Text.Contains("The authority is down.", StringComparison.Ordinal));
    }

    // ---- Headers, validity, saved token, skipped endpoints ---------------------------------------------------------

    [Fact]
    public async Task QueryToken_ResponseIsNotToBeCached_NoStoreAndPragmaNoCache()
    {
        await using var app = await TestApp.StartAsync(o => o.Validator = ValidUser);

        using var response = await app.Client.GetAsync($"/protected?access_token={Token}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal("no-cache", Assert.Single(response.Headers.Pragma).Name);
    }

    [Fact]
    public async Task ValidatorSaysValidUntilExactlyNow_Refused()
    {
        var validator = new FixedValidator(TokenCheckResult.Valid(new TokenInfo { Subject = "u1", ExpiresAt = TestApp.Start }));
        await using var app = await TestApp.StartAsync(o => o.Validator = validator);

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", Token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", Challenge(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SaveToken_DecidesWhetherTheTicketCarriesTheToken(bool save)
    {
        await using var app = await TestApp.StartAsync(
            o =>
            {
                o.Validator = ValidUser;
                o.SaveToken = save;
            },
            map: a => a.MapGet("/saved", (Func<HttpContext, Task<IResult>>)(async c => Results.Text(await c.GetTokenAsync("access_token") ?? "(none)"))).RequireAuthorization());

        var body = await (await app.Client.SendAsync(TestApp.Get("/saved", Token))).Content.ReadAsStringAsync();

        Assert.Equal(save ? Token : "(none)", body);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SaveToken_WithSudo_TheFeatureCarriesTheTokenOnlyWhenSaved(bool save)
    {
        await using var app = await TestApp.StartAsync(
            o =>
            {
                o.UseTokenStore = true;
                o.SaveToken = save;
            },
            SudoEndpoints.Stores,
            a => a.MapGet("/feature", (HttpContext c) => Results.Text(c.Features.Get<ITokenAuthFeature>() is { } f ? $"{f.Token ?? "(none)"} as {f.TokenInfo.Subject}/{c.User.FindFirst(TokenAuthClaimTypes.Subject)?.Value}" : "-")).RequireAuthorization());
        var token = await app.IssueAsync(new TokenInfo { Subject = "admin-7", ClientId = "ops-client", Scopes = ["read", "sudo"] });

        var body = await (await app.Client.SendAsync(TestApp.Get("/feature?sudo=uid:1002", token))).Content.ReadAsStringAsync();

        Assert.Equal($"{(save ? token : "(none)")} as admin-7/1002", body);
    }

    [Fact]
    public async Task SkipTokenAuthentication_EndpointReadsNoToken_EvenAValidOne()
    {
        var validator = new FixedValidator(TokenCheckResult.Valid(new TokenInfo { Subject = "u1", ExpiresAt = TestApp.Start.AddHours(1) }));
        await using var app = await TestApp.StartAsync(
            o => o.Validator = validator,
            map: a => a.MapGet("/skipped", (HttpContext c) => Results.Text(c.User.Identity?.IsAuthenticated == true ? "authenticated" : "anonymous")).SkipTokenAuthentication());

        var body = await (await app.Client.SendAsync(TestApp.Get("/skipped", Token))).Content.ReadAsStringAsync();

        Assert.Equal("anonymous", body);
        Assert.Equal(0, validator.Calls);
    }

    // ---- Events ----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task TokenValidatedEvent_ReplacesThePrincipal_TheEndpointSeesTheNewOne()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.Validator = ValidUser;
            o.Events.OnTokenValidated = context =>
            {
                context.Principal = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
                    [new System.Security.Claims.Claim(TokenAuthClaimTypes.Subject, "replaced")], context.Scheme.Name));
                return Task.CompletedTask;
            };
        });

        var json = await JsonAsync(await app.Client.SendAsync(TestApp.Get("/protected", Token)));

        Assert.Equal("replaced", json.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task AuthenticationFailedEvent_NoResult_StandsInsteadOfTheFailure()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.Validator = new FixedValidator(TokenCheckResult.Invalid("The token is not known."));
            o.Events.OnAuthenticationFailed = context =>
            {
                context.NoResult();
                return Task.CompletedTask;
            };
        });

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", Token));

        // No failure left: the challenge is the plain one of a request without a token.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Challenge(response));
    }

    [Fact]
    public async Task ChallengeEvent_SeesTheAuthenticationFailure()
    {
        Exception? seen = null;
        await using var app = await TestApp.StartAsync(o =>
        {
            o.Validator = new FixedValidator(TokenCheckResult.Invalid("The token is not known."));
            o.Events.OnChallenge = context =>
            {
                seen = context.AuthenticateFailure;
                return Task.CompletedTask;
            };
        });

        await app.Client.SendAsync(TestApp.Get("/protected", Token));

        var failure = Assert.IsType<TokenAuthException>(seen);
        Assert.Equal("invalid_token", failure.Error);
        Assert.Equal("The token is not known.", failure.Message);
    }

    // ---- Texts: insufficient scope, and the default details when error details are off -----------------------------

    [Fact]
    public async Task InsufficientScope_DescribedInTheChallengeAndTheProblem()
    {
        await using var app = await TestApp.StartAsync(o => o.Validator = ValidUser);

        using var response = await app.Client.SendAsync(TestApp.Get("/scoped", Token));

        const string description = "The token lacks the scope this resource requires: write.";
        Assert.Equal($"Bearer error=\"insufficient_scope\", error_description=\"{description}\", scope=\"write\"", Challenge(response));
        var problem = await JsonAsync(response);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("insufficient_scope", problem.GetProperty("error").GetString());
        Assert.Equal(description, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task InsufficientScope_ErrorDetailsOff_NoDescription_GeneralDetail()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.Validator = ValidUser;
            o.IncludeErrorDetails = false;
        });

        using var response = await app.Client.SendAsync(TestApp.Get("/scoped", Token));

        Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"write\"", Challenge(response));
        Assert.Equal("The caller is not allowed to access this resource.", (await JsonAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ErrorDetailsOff_EachStatusHasItsGeneralDetail()
    {
        await using var app = await TestApp.StartAsync(
            o =>
            {
                o.UseTokenStore = true;
                o.IncludeErrorDetails = false;
            },
            SudoEndpoints.Stores,
            SudoEndpoints.Map);
        var sudo = await app.IssueAsync(new TokenInfo { Subject = "admin-7", ClientId = "ops-client", Scopes = ["read", "sudo"] });

        async Task<string?> DetailAsync(HttpRequestMessage request)
        {
            using var response = await app.Client.SendAsync(request);
            return (await JsonAsync(response)).GetProperty("detail").GetString();
        }

        Assert.Equal("The request is malformed.", await DetailAsync(TestApp.Get("/whoami?access_token=another-token", sudo)));
        Assert.Equal("An access token is required.", await DetailAsync(TestApp.Get("/whoami", "unknown-token")));
        Assert.Equal("The caller is not allowed to access this resource.", await DetailAsync(TestApp.Get("/whoami?sudo=uid:1", sudo)));
        Assert.Equal("The user or tenant the request names was not found.", await DetailAsync(TestApp.Get("/whoami?sudo=uid:42", sudo)));
    }

    [Fact]
    public async Task ErrorDetailsOff_Unavailable_GeneralDetail()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.Validator = new FixedValidator(TokenCheckResult.Unavailable("The authority is down."));
            o.IncludeErrorDetails = false;
        });

        using var response = await app.Client.SendAsync(TestApp.Get("/protected", Token));

        var problem = await JsonAsync(response);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("temporarily_unavailable", problem.GetProperty("error").GetString());
        Assert.Equal("Authentication is temporarily unavailable.", problem.GetProperty("detail").GetString());
    }

    private sealed class ThrowingValidator : ITokenValidator
    {
        public ValueTask<TokenCheckResult> ValidateAsync(string token, CancellationToken cancellationToken)
            => throw new InvalidOperationException("validator bug");
    }
}
