using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Moq;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Handler.Http;
using Keys = TokenAuth.Tests.Jwt.JwtTestKeys;

namespace TokenAuth.Tests.Impersonation;

/// <summary>
/// Sudo and tenant scoping through the real pipeline (TestServer, the handler, authorization), with the deterministic
/// stores of <see cref="TestUserStore"/> and <see cref="TestTenantStore"/>.
/// </summary>
public class SudoTenantIntegrationTests
{
    private const string Caller = "admin-7";
    private const string CallerClient = "ops-client";
    private const string AcceptedForms = "uid:<id>, loginName:<name>, email:<address> or mobile:<number>";

    // ---- 1. Sudo: who the request runs as ----------------------------------------------------------------------

    [Fact]
    public async Task Sudo_QueryUid_PrincipalIsTargetWithCallerAsActor()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1001", token));

        Assert.Equal("1001", me.Sub);
        Assert.Equal("Alice", me.Name);
        Assert.Equal("alice@example.com", me.Email);
        Assert.Equal("sales", me.Department);
        Assert.Equal(["user"], me.Roles);
        Assert.Equal(CallerClient, me.ClientId);
        // Scopes stay the token's: sudo changes who, not what.
        Assert.Equal(["read", "sudo"], me.Scopes);
        Assert.Equal(Caller, me.ActorSub);
        Assert.Equal(CallerClient, me.ActorClientId);
        Assert.Equal(new Dictionary<string, string?> { ["sub"] = Caller, ["client_id"] = CallerClient }, me.ActMembers());
        Assert.Equal(Caller, me.OriginalSub);
    }

    [Fact]
    public async Task Sudo_Impersonating_LogsCallerAndTarget()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1002&tenantCode=globex", token));

        var entry = Assert.Single(app.Logs.Entries, e => e.EventId.Name == "Impersonating");
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Contains("Subject admin-7 is acting as user 1002 (tenant t-200)", entry.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("uid:1002")]
    [InlineData("UID:1002")]
    [InlineData("loginName:bob")]
    [InlineData("loginname:BOB")]
    [InlineData("email:bob@example.com")]
    [InlineData("Email:BOB@EXAMPLE.COM")]
    [InlineData("mobile:%2B8613800000002")]
    [InlineData("MOBILE:%2B8613800000002")]
    public async Task Sudo_EachLookupKind_ResolvesTheUser(string sudo)
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=" + sudo, token));

        Assert.Equal("1002", me.Sub);
        Assert.Equal("Bob", me.Name);
        Assert.Equal(Caller, me.ActorSub);
        var (target, _) = Assert.Single(app.Services.GetRequiredService<TestUserStore>().Calls);
        Assert.Equal(Uri.UnescapeDataString(sudo[(sudo.IndexOf(':', StringComparison.Ordinal) + 1)..]), target.Value);
    }

    [Fact]
    public async Task Sudo_UsernameAlias_ResolvesAsLoginNameAndLogsDeprecation()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=username:carol", token));

        Assert.Equal("7", me.Sub);
        Assert.Equal("carol", me.Name);
        var (target, _) = Assert.Single(app.Services.GetRequiredService<TestUserStore>().Calls);
        Assert.Equal(new SudoTarget(SudoKind.LoginName, "carol"), target);
        var warning = Assert.Single(app.Logs.Entries, e => e.EventId.Name == "SudoUsernameDeprecated");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("loginName:", warning.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sudo_LoginNameForm_LogsNoDeprecation()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        await OkAsync(await SendAsync(app, "/whoami?sudo=loginName:carol", token));

        Assert.DoesNotContain(app.Logs.Entries, e => e.EventId.Name == "SudoUsernameDeprecated");
    }

    [Fact]
    public async Task Sudo_UsernameAliasSwitchedOff_400InvalidRequest()
    {
        await using var app = await StartAsync(o => o.Sudo.AllowUsernameAlias = false);
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=username:carol", token);

        await ProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal("invalid_request", Keys.Error(response));
        Assert.Contains("'username:'", Keys.ErrorDescription(response), StringComparison.Ordinal);
        Assert.Empty(app.Services.GetRequiredService<TestUserStore>().Calls);
    }

    // ---- 2. Sudo: malformed and duplicated values --------------------------------------------------------------

    [Theory]
    [InlineData("")]
    [InlineData("1001")]
    [InlineData("uid:")]
    [InlineData("uid::1")]
    [InlineData("phone:13800000001")]
    [InlineData("uid%253A1001")]
    [InlineData("uid:10%250001")]
    [InlineData("uid:10%2001")]
    [InlineData("email:alice")]
    [InlineData("mobile:138-0000-0001")]
    public async Task Sudo_MalformedValue_400InvalidRequestListingAcceptedForms(string sudo)
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=" + sudo, token);

        await ProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal("invalid_request", Keys.Error(response));
        Assert.Contains(AcceptedForms, Keys.ErrorDescription(response), StringComparison.Ordinal);
        Assert.Contains(AcceptedForms, (await BodyAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(app.Services.GetRequiredService<TestUserStore>().Calls);
    }

    [Fact]
    public async Task Sudo_MalformedValueWithoutSudoScope_400BeforeScopeCheck()
    {
        await using var app = await StartAsync();
        var token = await PlainTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=nonsense", token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", Keys.Error(response));
    }

    [Fact]
    public async Task Sudo_TwoDifferentQueryValues_400InvalidRequest()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=uid:1001&sudo=uid:1002", token);

        await ProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains("more than one sudo user", Keys.ErrorDescription(response), StringComparison.Ordinal);
        Assert.Empty(app.Services.GetRequiredService<TestUserStore>().Calls);
    }

    [Fact]
    public async Task Sudo_SameQueryValueTwice_ActsAsThatUser()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1002&sudo=uid:1002", token));

        Assert.Equal("1002", me.Sub);
    }

    [Fact]
    public async Task Sudo_CallerAlreadyActingForSomeone_ActClaimNestsTheChain_RFC8693Section4_1()
    {
        await using var app = await StartAsync();
        var token = await app.IssueAsync(new TokenInfo
        {
            Subject = Caller,
            ClientId = CallerClient,
            Scopes = ["read", "sudo"],
            Claims = [new TokenClaim(TokenAuthClaimTypes.Actor, """{"sub":"origin-admin","client_id":"console","act":{"sub":"root"}}""")],
        });

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1001", token));

        Assert.Equal("1001", me.Sub);
        using var act = System.Text.Json.JsonDocument.Parse(me.Act!);
        Assert.Equal(Caller, act.RootElement.GetProperty("sub").GetString());
        Assert.Equal(CallerClient, act.RootElement.GetProperty("client_id").GetString());
        var earlier = act.RootElement.GetProperty("act");
        Assert.Equal("origin-admin", earlier.GetProperty("sub").GetString());
        Assert.Equal("console", earlier.GetProperty("client_id").GetString());
        Assert.Equal("root", earlier.GetProperty("act").GetProperty("sub").GetString());
    }

    [Fact]
    public async Task Sudo_CallerActClaimNotAnObject_IsNotNested()
    {
        await using var app = await StartAsync();
        var token = await app.IssueAsync(new TokenInfo
        {
            Subject = Caller,
            ClientId = CallerClient,
            Scopes = ["read", "sudo"],
            Claims = [new TokenClaim(TokenAuthClaimTypes.Actor, "not json {")],
        });

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1001", token));

        Assert.Equal(new Dictionary<string, string?> { ["sub"] = Caller, ["client_id"] = CallerClient }, me.ActMembers());
    }

    [Theory]
    [InlineData("UID:1002", "uid:1002")]
    [InlineData("uid:1002", "Uid: 1002 ")]
    [InlineData("LOGINNAME:bob", "loginName:bob")]
    public async Task Sudo_QueryAndHeaderNameOneUser_KindsInAnyCase_ActsAsThatUser(string query, string header)
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=" + Uri.EscapeDataString(query), token, ("Sudo", header)));

        Assert.Equal("1002", me.Sub);
    }

    [Theory]
    [InlineData("uid:1002", "uid:1001")]
    [InlineData("uid:1002", "loginName:1002")]
    [InlineData("loginName:bob", "loginName:BOB")]
    [InlineData("uid:1002", "nonsense")]
    public async Task Sudo_QueryAndHeaderNameDifferentUsers_400InvalidRequest(string query, string header)
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=" + Uri.EscapeDataString(query), token, ("Sudo", header));

        await ProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains("more than one sudo user", Keys.ErrorDescription(response), StringComparison.Ordinal);
        Assert.Empty(app.Services.GetRequiredService<TestUserStore>().Calls);
    }

    [Fact]
    public async Task Sudo_HeaderOnly_ActsAsTarget()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami", token, ("Sudo", "loginName:bob")));

        Assert.Equal("1002", me.Sub);
        Assert.Equal(Caller, me.ActorSub);
    }

    [Fact]
    public async Task Sudo_HeaderAndQueryAgree_ActsAsTarget()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1002", token, ("Sudo", " uid:1002 ")));

        Assert.Equal("1002", me.Sub);
    }

    [Fact]
    public async Task Sudo_HeaderAndQueryDisagree_400InvalidRequest()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=uid:1001", token, ("Sudo", "uid:1002"));

        await ProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal("invalid_request", Keys.Error(response));
    }

    [Fact]
    public async Task Sudo_HeaderSwitchedOff_HeaderIgnored()
    {
        await using var app = await StartAsync(o => o.Sudo.Header = false);
        var token = await SudoTokenAsync(app);

        var alone = await OkAsync(await SendAsync(app, "/whoami", token, ("Sudo", "uid:1002")));
        var withQuery = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1001", token, ("Sudo", "uid:1002")));

        Assert.Equal(Caller, alone.Sub);
        Assert.Null(alone.ActorSub);
        Assert.Equal("1001", withQuery.Sub);
    }

    [Fact]
    public async Task Sudo_QuerySwitchedOff_QueryIgnored()
    {
        await using var app = await StartAsync(o => o.Sudo.Query = false);
        var token = await SudoTokenAsync(app);

        var alone = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1002", token));
        var withHeader = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1001", token, ("Sudo", "uid:1002")));

        Assert.Equal(Caller, alone.Sub);
        Assert.Equal("1002", withHeader.Sub);
    }

    [Fact]
    public async Task Sudo_RenamedQueryAndHeader_OnlyNewNamesRead()
    {
        await using var app = await StartAsync(o =>
        {
            o.Sudo.QueryName = "act_as";
            o.Sudo.HeaderName = "X-Act-As";
        });
        var token = await SudoTokenAsync(app);

        var byQuery = await OkAsync(await SendAsync(app, "/whoami?act_as=uid:1002", token));
        var byHeader = await OkAsync(await SendAsync(app, "/whoami", token, ("X-Act-As", "uid:7")));
        var oldNames = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1002", token, ("Sudo", "uid:7")));

        Assert.Equal("1002", byQuery.Sub);
        Assert.Equal("7", byHeader.Sub);
        Assert.Equal(Caller, oldNames.Sub);
    }

    [Fact]
    public async Task Sudo_SwitchedOffInOptions_ParameterIgnored()
    {
        await using var app = await StartAsync(o => o.Sudo.Enabled = false);
        var token = await PlainTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1002", token));

        Assert.Equal(Caller, me.Sub);
        Assert.Null(me.Act);
        Assert.Empty(app.Services.GetRequiredService<TestUserStore>().Calls);
    }

    [Fact]
    public async Task Sudo_NoUserStoreRegistered_ParameterIgnored()
    {
        await using var app = await StartAsync(services: s => s.AddTokenAuthTenants<TestTenantStore>(ServiceLifetime.Singleton));
        var token = await PlainTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1002", token));

        Assert.Equal(Caller, me.Sub);
        Assert.Null(me.ActorSub);
    }

    // ---- 3. Sudo: who may, and whom ----------------------------------------------------------------------------

    [Fact]
    public async Task Sudo_TokenWithoutSudoScope_403InsufficientScopeNamingSudo()
    {
        await using var app = await StartAsync();
        var token = await PlainTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=uid:1001", token);

        await ProblemAsync(response, HttpStatusCode.Forbidden, "insufficient_scope");
        var challenge = Challenge(response);
        Assert.StartsWith("Bearer ", challenge, StringComparison.Ordinal);
        Assert.Equal("insufficient_scope", Keys.Error(response));
        Assert.Contains("scope=\"sudo\"", challenge, StringComparison.Ordinal);
        Assert.Empty(app.Services.GetRequiredService<TestUserStore>().Calls);
    }

    [Fact]
    public async Task Sudo_HeaderWithoutSudoScope_403InsufficientScope()
    {
        await using var app = await StartAsync();
        var token = await PlainTokenAsync(app);

        using var response = await SendAsync(app, "/whoami", token, ("Sudo", "uid:1001"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("insufficient_scope", Keys.Error(response));
    }

    [Fact]
    public async Task Sudo_ConfiguredScope_RequiredInsteadOfSudo()
    {
        await using var app = await StartAsync(o => o.Sudo.Scope = "impersonate");
        var sudoOnly = await SudoTokenAsync(app);
        var impersonate = await app.IssueAsync(new TokenInfo { Subject = Caller, ClientId = CallerClient, Scopes = ["impersonate"] });

        using var refused = await SendAsync(app, "/whoami?sudo=uid:1002", sudoOnly);
        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1002", impersonate));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("scope=\"impersonate\"", Challenge(refused), StringComparison.Ordinal);
        Assert.Equal("1002", me.Sub);
    }

    [Fact]
    public async Task Sudo_ScopeMatch_IsCaseSensitive()
    {
        await using var app = await StartAsync();
        var token = await app.IssueAsync(new TokenInfo { Subject = Caller, ClientId = CallerClient, Scopes = ["SUDO"] });

        using var response = await SendAsync(app, "/whoami?sudo=uid:1002", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("insufficient_scope", Keys.Error(response));
    }

    [Fact]
    public async Task Sudo_NoToken_401BareBearer()
    {
        await using var app = await StartAsync();

        using var response = await SendAsync(app, "/whoami?sudo=uid:1001", token: null);

        await ProblemAsync(response, HttpStatusCode.Unauthorized, error: null);
        Assert.Equal("Bearer", Challenge(response));
        Assert.Empty(app.Services.GetRequiredService<TestUserStore>().Calls);
    }

    [Fact]
    public async Task Sudo_UnknownToken_401InvalidToken()
    {
        await using var app = await StartAsync();

        using var response = await SendAsync(app, "/whoami?sudo=uid:1001", Base64UrlEncoder.Encode(new byte[32]));

        await ProblemAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Equal("invalid_token", Keys.Error(response));
        Assert.Empty(app.Services.GetRequiredService<TestUserStore>().Calls);
    }

    [Fact]
    public async Task Sudo_ExpiredToken_401InvalidToken()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);
        app.Time.Advance(TimeSpan.FromHours(2));

        using var response = await SendAsync(app, "/whoami?sudo=uid:1001", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_token", Keys.Error(response));
    }

    [Theory]
    [InlineData("uid:42", "User with uid '42' not found.")]
    [InlineData("loginName:nobody", "User with loginName 'nobody' not found.")]
    [InlineData("username:nobody", "User with loginName 'nobody' not found.")]
    [InlineData("email:nobody@example.com", "User with email 'nobody@example.com' not found.")]
    [InlineData("mobile:19900000000", "User with mobile '19900000000' not found.")]
    public async Task Sudo_UnknownUser_404ProblemDetails(string sudo, string detail)
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=" + sudo, token);

        await ProblemAsync(response, HttpStatusCode.NotFound, "not_found");
        Assert.Equal(detail, (await BodyAsync(response)).GetProperty("detail").GetString());
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Sudo_UnknownUserInTenant_404NamesTheTenant()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=uid:1002&tenantCode=acme", token);

        await ProblemAsync(response, HttpStatusCode.NotFound, "not_found");
        Assert.Equal("User with uid '1002' not found in tenant 'acme'.", (await BodyAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Sudo_StoreRefusesTarget_403AccessDeniedWithoutBearerChallenge()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=loginName:root", token);

        await ProblemAsync(response, HttpStatusCode.Forbidden, "access_denied");
        Assert.Contains("may not act as user '1'", (await BodyAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(response.Headers.WwwAuthenticate);
        Assert.DoesNotContain(app.Logs.Entries, e => e.EventId.Name == "Impersonating");
    }

    [Fact]
    public async Task Sudo_ErrorDetailsOff_403And404StillSayWhatHappened()
    {
        await using var app = await StartAsync(o => o.IncludeErrorDetails = false);
        var token = await SudoTokenAsync(app);

        using var refused = await SendAsync(app, "/whoami?sudo=uid:1", token);
        using var missing = await SendAsync(app, "/whoami?sudo=uid:42", token);

        await ProblemAsync(refused, HttpStatusCode.Forbidden, "access_denied");
        await ProblemAsync(missing, HttpStatusCode.NotFound, "not_found");
        var refusedDetail = (await BodyAsync(refused)).GetProperty("detail").GetString();
        var missingDetail = (await BodyAsync(missing)).GetProperty("detail").GetString();
        Assert.DoesNotContain("access token is required", refusedDetail, StringComparison.Ordinal);
        Assert.DoesNotContain("access token is required", missingDetail, StringComparison.Ordinal);
        Assert.DoesNotContain("42", missingDetail, StringComparison.Ordinal);
    }

    // ---- 4. Sudo: the Impersonating event ----------------------------------------------------------------------

    [Fact]
    public async Task Sudo_ImpersonatingEventDenies_403WithReason()
    {
        await using var app = await StartAsync(o => o.Events.OnImpersonating = context =>
        {
            if (context.Target.Id == "1002")
            {
                context.Deny("Bob is on leave.");
            }

            return Task.CompletedTask;
        });
        var token = await SudoTokenAsync(app);

        using var denied = await SendAsync(app, "/whoami?sudo=uid:1002", token);
        var allowed = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:7", token));

        await ProblemAsync(denied, HttpStatusCode.Forbidden, "access_denied");
        Assert.Equal("Bob is on leave.", (await BodyAsync(denied)).GetProperty("detail").GetString());
        Assert.Empty(denied.Headers.WwwAuthenticate);
        Assert.Equal("7", allowed.Sub);
    }

    [Fact]
    public async Task Sudo_ImpersonatingEvent_AuditSeesCallerTargetRequestAndTenant()
    {
        var audit = new List<(string? Caller, string Requested, string Target, string? Tenant, string? PrincipalSub)>();
        await using var app = await StartAsync(o => o.Events.OnImpersonating = context =>
        {
            audit.Add((
                context.Caller.FindFirst(TokenAuthClaimTypes.Subject)?.Value,
                context.Requested.ToString(),
                context.Target.Name!,
                context.Tenant?.Code,
                context.Principal.FindFirst(TokenAuthClaimTypes.Subject)?.Value));
            return Task.CompletedTask;
        });
        var token = await SudoTokenAsync(app);

        await OkAsync(await SendAsync(app, "/whoami?sudo=UID:1001&tenantId=t-200", token));
        await OkAsync(await SendAsync(app, "/whoami", token));

        var entry = Assert.Single(audit);
        Assert.Equal((Caller, "uid:1001", "Alice of Globex", "globex", "1001"), entry);
    }

    [Fact]
    public async Task Sudo_ImpersonatingEventReplacesPrincipal_RequestRunsAsReplacement()
    {
        await using var app = await StartAsync(o => o.Events.OnImpersonating = context =>
        {
            var identity = new System.Security.Claims.ClaimsIdentity(context.Scheme.Name, TokenAuthClaimTypes.Name, TokenAuthClaimTypes.Role);
            identity.AddClaim(new System.Security.Claims.Claim(TokenAuthClaimTypes.Subject, "replaced-" + context.Target.Id));
            context.Principal = new System.Security.Claims.ClaimsPrincipal(identity);
            return Task.CompletedTask;
        });
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:7", token));

        Assert.Equal("replaced-7", me.Sub);
        Assert.Equal(Caller, me.OriginalSub);
    }

    // ---- 5. Store faults ---------------------------------------------------------------------------------------

    [Fact]
    public async Task Sudo_UserStoreThrows_503WithRetryAfter()
    {
        var store = new Mock<ISudoUserStore>(MockBehavior.Strict);
        store.Setup(s => s.FindUserAsync(It.IsAny<SudoTarget>(), It.IsAny<TenantInfo?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TimeoutException("user directory timed out"));
        await using var app = await StartAsync(
            o => o.RetryAfter = TimeSpan.FromSeconds(7),
            s =>
            {
                s.AddSingleton(store.Object);
                s.AddTokenAuthTenants<TestTenantStore>(ServiceLifetime.Singleton);
            });
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=uid:1001", token);
        var plain = await OkAsync(await SendAsync(app, "/whoami", token));

        await ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
        Assert.Equal("7", Assert.Single(response.Headers.GetValues("Retry-After")));
        Assert.DoesNotContain("timed out", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Name == "ImpersonationStoreUnavailable" && e.Text.Contains("user directory timed out", StringComparison.Ordinal));
        Assert.Equal(Caller, plain.Sub);
        store.Verify(s => s.FindUserAsync(It.IsAny<SudoTarget>(), It.IsAny<TenantInfo?>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Sudo_CanImpersonateThrows_503WithRetryAfter()
    {
        var store = new Mock<ISudoUserStore>();
        store.Setup(s => s.FindUserAsync(It.IsAny<SudoTarget>(), It.IsAny<TenantInfo?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new SudoUser { Id = "1001" });
        store.Setup(s => s.CanImpersonateAsync(It.IsAny<System.Security.Claims.ClaimsPrincipal>(), It.IsAny<SudoUser>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("policy service down"));
        await using var app = await StartAsync(services: s => s.AddSingleton(store.Object));
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=uid:1001", token);

        await ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
        Assert.Equal("5", Assert.Single(response.Headers.GetValues("Retry-After")));
    }

    [Fact]
    public async Task Tenant_TenantStoreThrows_503WithRetryAfter()
    {
        var tenants = new Mock<ITenantStore>(MockBehavior.Strict);
        tenants.Setup(s => s.FindByCodeAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new HttpRequestException("tenant service unreachable"));
        await using var app = await StartAsync(services: s =>
        {
            s.AddTokenAuthSudo<TestUserStore>(ServiceLifetime.Singleton);
            s.AddSingleton(tenants.Object);
        });
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=uid:1001&tenantCode=acme", token);

        await ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
        Assert.Equal("5", Assert.Single(response.Headers.GetValues("Retry-After")));
        Assert.Empty(app.Services.GetRequiredService<TestUserStore>().Calls);
    }

    // ---- 6. Tenants --------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("tenantId=t-100")]
    [InlineData("tenantCode=acme")]
    [InlineData("tenantCode=ACME")]
    [InlineData("tenantId=t-100&tenantCode=acme")]
    [InlineData("tenantId=t-100&tenantId=t-100")]
    public async Task Tenant_ByIdOrCode_ScopesRequestAndExposesFeature(string query)
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami?" + query, token));

        Assert.Equal(Caller, me.Sub);
        Assert.Null(me.ActorSub);
        Assert.Equal(["t-100"], me.TenantIds);
        Assert.Equal(["acme"], me.TenantCodes);
        Assert.Equal("t-100", me.FeatureTenantId);
        Assert.Equal("acme", me.FeatureTenantCode);
    }

    [Theory]
    [InlineData("tenantId=t-100&tenantCode=globex")]
    [InlineData("tenantId=t-100&tenantId=t-200")]
    [InlineData("tenantCode=acme&tenantCode=globex")]
    public async Task Tenant_TwoDifferentTenants_400InvalidRequest(string query)
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=uid:1001&" + query, token);

        await ProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal("invalid_request", Keys.Error(response));
        Assert.Empty(app.Services.GetRequiredService<TestUserStore>().Calls);
    }

    [Theory]
    [InlineData("tenantId=t-999", "Tenant with id 't-999' not found.")]
    [InlineData("tenantCode=initech", "Tenant with code 'initech' not found.")]
    [InlineData("tenantId=t-100&tenantCode=initech", "Tenant with code 'initech' not found.")]
    public async Task Tenant_Unknown_404ProblemDetails(string query, string detail)
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?sudo=uid:1001&" + query, token);

        await ProblemAsync(response, HttpStatusCode.NotFound, "not_found");
        Assert.Equal(detail, (await BodyAsync(response)).GetProperty("detail").GetString());
        Assert.Empty(app.Services.GetRequiredService<TestUserStore>().Calls);
    }

    [Theory]
    [InlineData("tenantId=")]
    [InlineData("tenantCode=%20")]
    [InlineData("tenantCode=%01acme")]
    [InlineData("tenantId=x{long}")]
    public async Task Tenant_EmptyControlOrOverlongValue_400BeforeAnyStore(string query)
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?" + query.Replace("{long}", new string('x', 128), StringComparison.Ordinal), token);

        await ProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Empty(app.Services.GetRequiredService<TestUserStore>().Calls);
    }

    [Theory]
    [InlineData(null, "tenantId=t-999")]
    [InlineData(null, "tenantId=t-100")]
    [InlineData("t-100", "tenantId=t-999")]
    public async Task Tenant_TokenThatMayNotNameIt_403WhetherOrNotItExists(string? boundTo, string query)
    {
        // 403 for an existing and an unknown tenant alike: a plain token cannot enumerate tenant ids.
        var store = new Mock<ITenantStore>(MockBehavior.Strict);
        await using var app = await StartAsync(services: s => s.AddSingleton(store.Object));
        var token = await PlainTokenAsync(app, boundTo);
        if (boundTo is not null)
        {
            store.Setup(t => t.FindByIdAsync(boundTo, It.IsAny<CancellationToken>())).ReturnsAsync(new TenantInfo(boundTo, "acme"));
        }

        using var response = await SendAsync(app, "/whoami?" + query, token);

        await ProblemAsync(response, HttpStatusCode.Forbidden, "access_denied");
        store.Verify(t => t.FindByIdAsync(It.Is<string>(id => id != boundTo), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Tenant_StoreTimesOut_503NotACrash()
    {
        // An HttpClient-backed store that times out throws TaskCanceledException while the request is alive: an outage.
        var store = new Mock<ITenantStore>();
        store.Setup(t => t.FindByCodeAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TaskCanceledException("timed out"));
        await using var app = await StartAsync(services: s => s.AddSingleton(store.Object));
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?tenantCode=acme", token);

        await ProblemAsync(response, HttpStatusCode.ServiceUnavailable, "temporarily_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Sudo_ImpersonatingHandlerThrows_IsABugNotAnOutage()
    {
        await using var app = await StartAsync(o => o.Events.OnImpersonating = _ => throw new InvalidOperationException("host bug"));
        var token = await SudoTokenAsync(app);

        // TestServer rethrows an unhandled exception to the caller; a real server answers 500. Never 503.
        var ex = await Record.ExceptionAsync(() => SendAsync(app, "/whoami?sudo=uid:1001", token));

        Assert.Equal("host bug", Assert.IsType<InvalidOperationException>(ex).Message);
        Assert.DoesNotContain(app.Logs.Entries, e => e.EventId.Name == "ImpersonationStoreUnavailable");
    }

    [Theory]
    [InlineData(true, "tenantCode=globex")]
    [InlineData(true, "tenantId=t-200")]
    [InlineData(false, "tenantCode=globex")]
    public async Task Tenant_BoundTokenAsksForAnother_403AccessDenied(bool sudoScope, string query)
    {
        await using var app = await StartAsync();
        var token = sudoScope ? await SudoTokenAsync(app, tenantId: "t-100") : await PlainTokenAsync(app, tenantId: "t-100");

        using var response = await SendAsync(app, "/whoami?" + query, token);

        await ProblemAsync(response, HttpStatusCode.Forbidden, "access_denied");
        Assert.Contains("bound to another tenant", (await BodyAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    [Fact]
    public async Task Tenant_BoundSudoTokenImpersonatingInAnotherTenant_403()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app, tenantId: "t-100");

        using var response = await SendAsync(app, "/whoami?sudo=uid:1002&tenantId=t-200", token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(app.Services.GetRequiredService<TestUserStore>().Calls);
    }

    [Theory]
    [InlineData("tenantId=t-100")]
    [InlineData("tenantCode=acme")]
    public async Task Tenant_NonSudoTokenToOwnTenant_200(string query)
    {
        await using var app = await StartAsync();
        var token = await PlainTokenAsync(app, tenantId: "t-100");

        var me = await OkAsync(await SendAsync(app, "/whoami?" + query, token));

        Assert.Equal(Caller, me.Sub);
        Assert.Equal(["t-100"], me.TenantIds);
        Assert.Equal(["acme"], me.TenantCodes);
        Assert.Equal("t-100", me.FeatureTenantId);
    }

    [Theory]
    [InlineData("tenantId=t-100")]
    [InlineData("tenantCode=globex")]
    public async Task Tenant_UnboundNonSudoTokenToAnyTenant_403(string query)
    {
        await using var app = await StartAsync();
        var token = await PlainTokenAsync(app);

        using var response = await SendAsync(app, "/whoami?" + query, token);

        await ProblemAsync(response, HttpStatusCode.Forbidden, "access_denied");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Tenant_TokenBoundToAnUnknownTenant_401InvalidToken_NeverAMadeUpTenant(bool sudoScope)
    {
        await using var app = await StartAsync();
        var token = sudoScope ? await SudoTokenAsync(app, tenantId: "t-999") : await PlainTokenAsync(app, tenantId: "t-999");

        using var response = await SendAsync(app, "/tenant-only", token);

        await ProblemAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
        Assert.Contains("t-999", Keys.ErrorDescription(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenant_BoundTokenWithoutParameter_ActsInOwnTenant()
    {
        await using var app = await StartAsync();
        var token = await PlainTokenAsync(app, tenantId: "t-200");

        var me = await OkAsync(await SendAsync(app, "/whoami", token));

        Assert.Equal(["t-200"], me.TenantIds);
        Assert.Equal(["globex"], me.TenantCodes);
        Assert.Equal("t-200", me.FeatureTenantId);
        Assert.Equal("globex", me.FeatureTenantCode);
    }

    [Fact]
    public async Task Tenant_UnboundTokenWithoutParameter_HasNoTenant()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami", token));

        Assert.Empty(me.TenantIds);
        Assert.Empty(me.TenantCodes);
        Assert.Null(me.FeatureTenantId);
    }

    [Fact]
    public async Task Tenant_HeadersOff_TenantHeadersIgnored()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami", token, ("Tenant-Code", "acme"), ("Tenant-Id", "t-100")));

        Assert.Empty(me.TenantIds);
        Assert.Null(me.FeatureTenantId);
    }

    [Fact]
    public async Task Tenant_HeadersOn_TenantFromHeader()
    {
        await using var app = await StartAsync(o => o.Tenants.Headers = true);
        var token = await SudoTokenAsync(app);

        var byCode = await OkAsync(await SendAsync(app, "/whoami", token, ("Tenant-Code", "globex")));
        var byId = await OkAsync(await SendAsync(app, "/whoami?tenantId=t-100", token, ("Tenant-Id", "t-100")));
        using var disagree = await SendAsync(app, "/whoami?tenantCode=acme", token, ("Tenant-Code", "globex"));

        Assert.Equal("t-200", byCode.FeatureTenantId);
        Assert.Equal("acme", byId.FeatureTenantCode);
        Assert.Equal(HttpStatusCode.BadRequest, disagree.StatusCode);
        Assert.Equal("invalid_request", Keys.Error(disagree));
    }

    [Fact]
    public async Task Tenant_NoTenantStoreRegistered_ParametersIgnored()
    {
        await using var app = await StartAsync(services: s => s.AddTokenAuthSudo<TestUserStore>(ServiceLifetime.Singleton));
        var token = await PlainTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami?tenantCode=nowhere", token));

        Assert.Empty(me.TenantCodes);
        Assert.Null(me.FeatureTenantId);
    }

    [Theory]
    [InlineData("tenantCode=acme", "1001", "Alice", "t-100", "acme")]
    [InlineData("tenantCode=globex", "1001", "Alice of Globex", "t-200", "globex")]
    [InlineData("tenantId=t-200", "1001", "Alice of Globex", "t-200", "globex")]
    public async Task Sudo_SameUidInDifferentTenants_ResolvesPerTenant(string query, string sub, string name, string tenantId, string tenantCode)
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1001&" + query, token));

        Assert.Equal(sub, me.Sub);
        Assert.Equal(name, me.Name);
        Assert.Equal([tenantId], me.TenantIds);
        Assert.Equal([tenantCode], me.TenantCodes);
        Assert.Equal(tenantId, me.FeatureTenantId);
        var (_, tenant) = Assert.Single(app.Services.GetRequiredService<TestUserStore>().Calls);
        Assert.Equal(tenantId, tenant?.Id);
    }

    [Fact]
    public async Task Sudo_BoundTokenWithoutTenantParameter_StoreGetsTokensTenant()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app, tenantId: "t-200");

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1001", token));

        Assert.Equal("Alice of Globex", me.Name);
        Assert.Equal(["t-200"], me.TenantIds);
        var (_, tenant) = Assert.Single(app.Services.GetRequiredService<TestUserStore>().Calls);
        Assert.Equal(new TenantInfo("t-200", "globex", "Globex"), tenant);
    }

    [Fact]
    public async Task Sudo_WithoutTenant_StoreGetsNoTenant()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1001", token));

        Assert.Equal("Alice", me.Name);
        var (_, tenant) = Assert.Single(app.Services.GetRequiredService<TestUserStore>().Calls);
        Assert.Null(tenant);
        Assert.Null(me.FeatureTenantId);
        // Not scoped to a tenant: the target's home tenant must not appear as a half tenant (id without code).
        Assert.Empty(me.TenantIds);
        Assert.Empty(me.TenantCodes);
    }

    // ---- 7. RequireTenant ------------------------------------------------------------------------------------

    [Fact]
    public async Task RequireTenant_NoTenant_403()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/tenant-only", token);

        await ProblemAsync(response, HttpStatusCode.Forbidden, error: null);
    }

    [Fact]
    public async Task RequireTenant_SudoWithoutTenant_403()
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        using var response = await SendAsync(app, "/tenant-only?sudo=uid:1001", token);

        await ProblemAsync(response, HttpStatusCode.Forbidden, error: null);
    }

    [Theory]
    [InlineData("?tenantCode=acme")]
    [InlineData("?tenantId=t-100")]
    [InlineData("?sudo=uid:1001&tenantCode=acme")]
    public async Task RequireTenant_WithTenant_200(string query)
    {
        await using var app = await StartAsync();
        var token = await SudoTokenAsync(app);

        var me = await OkAsync(await SendAsync(app, "/tenant-only" + query, token));

        Assert.Equal("t-100", me.FeatureTenantId);
    }

    [Fact]
    public async Task RequireTenant_BoundTokenWithoutParameter_200()
    {
        await using var app = await StartAsync();
        var token = await PlainTokenAsync(app, tenantId: "t-200");

        var me = await OkAsync(await SendAsync(app, "/tenant-only", token));

        Assert.Equal("t-200", me.FeatureTenantId);
    }

    [Fact]
    public async Task RequireTenant_NoToken_401()
    {
        await using var app = await StartAsync();

        using var response = await SendAsync(app, "/tenant-only?tenantCode=acme", token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    // ---- 8. Never cached: one token, with and without sudo, in alternation -----------------------------------

    [Theory]
    [InlineData("opaque")]
    [InlineData("jwt")]
    public async Task SameToken_AlternatingWithAndWithoutSudo_SubjectFlipsEveryTime(string kind)
    {
        var key = Keys.Symmetric();
        await using var app = await StartAsync(o =>
        {
            o.Jwt.TokenValidationParameters = Keys.Parameters(key);
            o.UseTokenStore = true;
        });
        var token = kind == "jwt"
            ? Keys.CreateToken(key, SecurityAlgorithms.HmacSha256, app.Time.GetUtcNow(), new Dictionary<string, object>
            {
                ["sub"] = Caller,
                ["client_id"] = CallerClient,
                ["scope"] = "read sudo",
            })
            : await SudoTokenAsync(app);
        Assert.Equal(kind == "jwt" ? 3 : 1, token.Split('.').Length);

        var targets = new[] { ("uid:1001", "1001", "Alice"), ("loginName:bob", "1002", "Bob"), ("email:carol@example.com", "7", "carol") };
        for (var round = 0; round < 4; round++)
        {
            var (sudo, sub, name) = targets[round % targets.Length];

            var plain = await OkAsync(await SendAsync(app, "/whoami", token));
            var acting = await OkAsync(await SendAsync(app, "/whoami?sudo=" + sudo, token));
            var plainAgain = await OkAsync(await SendAsync(app, "/whoami?tenantCode=acme", token));

            AssertCaller(plain, $"round {round}, before");
            Assert.Equal(sub, acting.Sub);
            Assert.Equal(name, acting.Name);
            Assert.Equal(Caller, acting.ActorSub);
            Assert.Equal(Caller, acting.OriginalSub);
            AssertCaller(plainAgain, $"round {round}, after");
            Assert.Equal("acme", plainAgain.FeatureTenantCode);
        }

        // And interleaved concurrently: no request ever sees another's principal.
        var tasks = Enumerable.Range(0, 40).Select(async i =>
        {
            var (sudo, sub, _) = targets[i % targets.Length];
            var me = await OkAsync(await SendAsync(app, i % 2 == 0 ? "/whoami" : "/whoami?sudo=" + sudo, token));
            return (Sudo: i % 2 == 1, Expected: i % 2 == 0 ? Caller : sub, Me: me);
        });
        foreach (var (sudo, expected, me) in await Task.WhenAll(tasks))
        {
            Assert.Equal(expected, me.Sub);
            Assert.Equal(sudo ? Caller : null, me.ActorSub);
            Assert.Equal(sudo ? Caller : null, me.OriginalSub);
        }

        static void AssertCaller(WhoAmI me, string when)
        {
            Assert.True(me.Sub == Caller, $"{when}: expected the caller, got {me.Sub}");
            Assert.Equal(CallerClient, me.ClientId);
            Assert.Null(me.Name);
            Assert.Null(me.ActorSub);
            Assert.Null(me.Act);
            Assert.Null(me.OriginalSub);
            Assert.Null(me.Department);
        }
    }

    [Fact]
    public async Task Jwt_TenantIdClaimBindsToken_AnotherTenant403OwnTenant200()
    {
        var key = Keys.Symmetric();
        await using var app = await StartAsync(o => o.Jwt.TokenValidationParameters = Keys.Parameters(key));
        var token = Keys.CreateToken(key, SecurityAlgorithms.HmacSha256, app.Time.GetUtcNow(), new Dictionary<string, object>
        {
            ["sub"] = Caller,
            ["client_id"] = CallerClient,
            ["scope"] = "read sudo",
            ["tenant_id"] = "t-100",
        });

        using var other = await SendAsync(app, "/whoami?tenantCode=globex", token);
        var own = await OkAsync(await SendAsync(app, "/whoami?sudo=uid:1001&tenantCode=acme", token));

        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal("Alice", own.Name);
        Assert.Equal(["t-100"], own.TenantIds);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static Task<TestApp> StartAsync(Action<TokenAuthOptions>? configure = null, Action<IServiceCollection>? services = null)
        => TestApp.StartAsync(
            o =>
            {
                o.UseTokenStore = true;
                configure?.Invoke(o);
            },
            s =>
            {
                (services ?? SudoEndpoints.Stores)(s);
                // Tests read the recorded calls of whichever TestUserStore is registered (if any).
                s.AddSingleton(sp => sp.GetService<ISudoUserStore>() as TestUserStore ?? new TestUserStore());
            },
            SudoEndpoints.Map);

    private static Task<string> SudoTokenAsync(TestApp app, string? tenantId = null)
        => app.IssueAsync(new TokenInfo { Subject = Caller, ClientId = CallerClient, Scopes = ["read", "sudo"], TenantId = tenantId });

    private static Task<string> PlainTokenAsync(TestApp app, string? tenantId = null)
        => app.IssueAsync(new TokenInfo { Subject = Caller, ClientId = CallerClient, Scopes = ["read", "write"], TenantId = tenantId });

    private static async Task<HttpResponseMessage> SendAsync(TestApp app, string path, string? token, params (string Name, string Value)[] headers)
    {
        using var request = TestApp.Get(path, token);
        foreach (var (name, value) in headers)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, value));
        }

        return await app.Client.SendAsync(request);
    }

    /// <summary>Asserts an RFC 9457 answer (as <c>Http.AssertProblemAsync</c>), reading the body as a string so it can be read again.</summary>
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? error)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await BodyAsync(response);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        if (error is null)
        {
            Assert.False(problem.TryGetProperty("error", out _));
        }
        else
        {
            Assert.Equal(error, problem.GetProperty("error").GetString());
        }

        return problem;
    }

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static async Task<WhoAmI> OkAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
            return JsonSerializer.Deserialize<WhoAmI>(body, JsonSerializerOptions.Web)!;
        }
    }
}
