using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace TokenAuth;

/// <summary>
/// Applies tenant scoping and sudo to an authenticated request (DESIGN "Sudo and tenants"). It runs on every
/// request after validation — after any cache — so an impersonated principal is never cached. Order:
/// read and check the parameters (400), the sudo scope (403), the tenant (404, 403), the target user (404, 403),
/// the <c>Impersonating</c> event (403). Store failures are 503, like any backend: each store call has the backend
/// deadline and circuit of its store (<see cref="TokenAuthOptions.Backends"/>), and what the stores found is kept briefly
/// in this node's <see cref="ImpersonationCache"/>; the checks and the event still run on every request.
/// </summary>
internal static class ImpersonationResolver
{
    public static async ValueTask<ImpersonationResult> ApplyAsync(
        HttpContext context, AuthenticationScheme scheme, TokenAuthOptions options, TokenAuthEvents events,
        ClaimsPrincipal principal, TokenInfo info, ILogger logger)
    {
        var result = await ApplyCoreAsync(context, scheme, options, events, principal, info, logger);
        if (options.Metrics is { } metrics && (result.Failure is not null || result.Original is not null || result.Tenant is not null))
        {
            // tokenauth.impersonation.count: sudo and tenant uses, by outcome.
            var sudo = result.Failure is null
                ? result.Original is not null
                : context.Request.Query.ContainsKey(options.Sudo.QueryName) || context.Request.Headers.ContainsKey(options.Sudo.HeaderName);
            metrics.Impersonation(sudo ? "sudo" : "tenant", result.Failure switch
            {
                null => "success",
                { StatusCode: 400 } => "invalid_request",
                { StatusCode: 404 } => "not_found",
                { StatusCode: 503 } => "unavailable",
                _ => "denied",
            });
        }

        return result;
    }

    private static async ValueTask<ImpersonationResult> ApplyCoreAsync(
        HttpContext context, AuthenticationScheme scheme, TokenAuthOptions options, TokenAuthEvents events,
        ClaimsPrincipal principal, TokenInfo info, ILogger logger)
    {
        var services = context.RequestServices;
        var tenantStore = options.Tenants.Enabled ? services.GetService<ITenantStore>() : null;
        var sudoStore = options.Sudo.Enabled ? services.GetService<ISudoUserStore>() : null;
        if (tenantStore is null && sudoStore is null)
        {
            return new ImpersonationResult(principal, null, null, null);
        }

        var request = context.Request;
        string? sudoValue = null, tenantId = null, tenantCode = null;
        if (sudoStore is not null)
        {
            var sudo = options.Sudo;
            var values = StringValues.Concat(sudo.Query ? request.Query[sudo.QueryName] : default, sudo.Header ? request.Headers[sudo.HeaderName] : default);
            if (!TrySingle(values, out sudoValue) && !SameSudoTarget(values, sudo))
            {
                return ImpersonationResult.Fail(TokenAuthException.InvalidRequest("The request names more than one sudo user; give one sudo value."));
            }
        }

        if (tenantStore is not null)
        {
            var tenants = options.Tenants;
            var ids = StringValues.Concat(request.Query[tenants.IdQueryName], tenants.Headers ? request.Headers[tenants.IdHeaderName] : default);
            var codes = StringValues.Concat(request.Query[tenants.CodeQueryName], tenants.Headers ? request.Headers[tenants.CodeHeaderName] : default);
            if (!TrySingle(ids, out tenantId) || !TrySingle(codes, out tenantCode))
            {
                return ImpersonationResult.Fail(TokenAuthException.InvalidRequest("The request names more than one tenant; give one tenantId or tenantCode."));
            }

            tenantId = tenantId?.Trim();
            tenantCode = tenantCode?.Trim();
            if (!IsTenantValue(tenantId) || !IsTenantValue(tenantCode))
            {
                // Bounded and printable before any store sees it.
                return ImpersonationResult.Fail(TokenAuthException.InvalidRequest($"tenantId and tenantCode must be 1 to {MaxTenantValueLength} printable characters."));
            }
        }

        SudoTarget? target = null;
        if (sudoValue is not null)
        {
            if (!SudoParser.TryParse(sudoValue, options.Sudo, out target, out var deprecated, out var error))
            {
                return ImpersonationResult.Fail(TokenAuthException.InvalidRequest(error!));
            }

            if (deprecated)
            {
                Log.SudoUsernameDeprecated(logger);
            }
        }

        if (target is null && tenantId is null && tenantCode is null && (tenantStore is null || info.TenantId is null))
        {
            // Neither sudo nor a tenant asked for, and the token is bound to none: nothing to look up (most requests).
            return new ImpersonationResult(principal, null, null, null);
        }

        var hasSudoScope = info.Scopes.Contains(options.Sudo.Scope, StringComparer.Ordinal);
        if (target is not null && !hasSudoScope)
        {
            return ImpersonationResult.Fail(TokenAuthException.InsufficientScope($"Acting as another user requires the '{options.Sudo.Scope}' scope.", options.Sudo.Scope));
        }

        var calls = new StoreCalls(tenantStore, sudoStore, options, services.GetService<ImpersonationCache>(), logger, context.RequestAborted);
        try
        {
            TenantInfo? tenant = null;
            if (tenantStore is not null)
            {
                var resolved = await ResolveTenantAsync(calls, tenantId, tenantCode, info, hasSudoScope);
                if (resolved.Failure is not null)
                {
                    return ImpersonationResult.Fail(resolved.Failure);
                }

                tenant = resolved.Tenant;
            }

            ClaimsPrincipal? original = null;
            if (target is not null)
            {
                var user = await calls.FindUserAsync(target, tenant);
                if (user is null)
                {
                    var where = tenant is null ? string.Empty : $" in tenant '{tenant.Code}'";
                    return ImpersonationResult.Fail(TokenAuthException.NotFound($"User with {SudoParser.Prefix(target.Kind)} '{target.Value}' not found{where}."));
                }

                if (!await calls.CanImpersonateAsync(principal, user))
                {
                    return ImpersonationResult.Fail(TokenAuthException.AccessDenied($"The caller may not act as user '{user.Id}'."));
                }

                var impersonating = new ImpersonatingContext(context, scheme, options)
                {
                    Caller = principal,
                    Requested = target,
                    Target = user,
                    Tenant = tenant,
                    Principal = CreateImpersonated(user, principal, info, scheme.Name),
                };
                await events.Impersonating(impersonating);
                if (impersonating.DenyReason is { } reason)
                {
                    return ImpersonationResult.Fail(TokenAuthException.AccessDenied(reason));
                }

                Log.Impersonating(logger, principal.FindFirst(TokenAuthClaimTypes.Subject)?.Value, user.Id, tenant?.Id);
                original = principal;
                principal = impersonating.Principal;
            }

            if (tenant is not null && principal.Identity is ClaimsIdentity identity)
            {
                foreach (var claim in identity.FindAll(c => c.Type is TokenAuthClaimTypes.TenantId or TokenAuthClaimTypes.TenantCode).ToList())
                {
                    identity.RemoveClaim(claim);
                }

                identity.AddClaim(new Claim(TokenAuthClaimTypes.TenantId, tenant.Id));
                identity.AddClaim(new Claim(TokenAuthClaimTypes.TenantCode, tenant.Code));
            }

            return new ImpersonationResult(principal, original, tenant, null);
        }
        catch (StoreFaultException ex)
        {
            // A user or tenant store that cannot answer (in time) is a backend outage: fail closed with 503. A fault in the
            // host's own Impersonating handler is not caught here: it is a bug, not an outage. Time-outs and an open
            // circuit were logged by the guard.
            if (ex.Outcome == BackendOutcome.Faulted)
            {
                Log.ImpersonationStoreUnavailable(logger, LogRedaction.Redact(ex.InnerException!));
            }

            return ImpersonationResult.Fail(TokenAuthException.Unavailable(
                "The user or tenant store is temporarily unavailable.", ex.RetryAfter ?? options.RetryAfter, ex.InnerException));
        }
    }

    private static async ValueTask<(TenantInfo? Tenant, TokenAuthException? Failure)> ResolveTenantAsync(
        StoreCalls calls, string? id, string? code, TokenInfo info, bool hasSudoScope)
    {
        if (id is null && code is null)
        {
            // No tenant asked for: a token bound to one acts in it (looked up through the cache: this is every request of such a
            // token). A tenant the store does not know is no tenant to act in: the token is of no use here (never a made-up
            // tenant whose code is its id, which a RequireTenant() policy would pass).
            if (info.TenantId is not { } bound)
            {
                return (null, null);
            }

            return await calls.FindTenantAsync(byCode: false, bound) is { } own
                ? (own, null)
                : (null, TokenAuthException.InvalidToken($"The token is bound to tenant '{Printable(bound)}', which is not known here."));
        }

        // Decide what can be decided without the store first, so a token that may not name tenants
        // cannot learn from 404-versus-403 which ones exist.
        if (info.TenantId is null && !hasSudoScope)
        {
            return (null, TokenAuthException.AccessDenied("Only a token bound to this tenant, or one with the sudo scope, may act in it."));
        }

        if (info.TenantId is { } boundId && id is not null && id != boundId)
        {
            return (null, TokenAuthException.AccessDenied("The token is bound to another tenant."));
        }

        TenantInfo? byId = null, byCode = null;
        if (id is not null && (byId = await calls.FindTenantAsync(byCode: false, id)) is null)
        {
            return (null, TokenAuthException.NotFound($"Tenant with id '{Printable(id)}' not found."));
        }

        if (code is not null && (byCode = await calls.FindTenantAsync(byCode: true, code)) is null)
        {
            return (null, TokenAuthException.NotFound($"Tenant with code '{Printable(code)}' not found."));
        }

        if (byId is not null && byCode is not null && byId.Id != byCode.Id)
        {
            return (null, TokenAuthException.InvalidRequest("tenantId and tenantCode name different tenants."));
        }

        var tenant = (byId ?? byCode)!;
        if (info.TenantId is { } boundTo && boundTo != tenant.Id)
        {
            return (null, TokenAuthException.AccessDenied("The token is bound to another tenant."));
        }

        return (tenant, null);
    }

    private static ClaimsPrincipal CreateImpersonated(SudoUser user, ClaimsPrincipal caller, TokenInfo info, string authenticationType)
    {
        var identity = new ClaimsIdentity(authenticationType, TokenAuthClaimTypes.Name, TokenAuthClaimTypes.Role);
        Add(identity, TokenAuthClaimTypes.Subject, user.Id);
        Add(identity, TokenAuthClaimTypes.Name, user.Name ?? user.LoginName);
        Add(identity, "preferred_username", user.LoginName);
        Add(identity, "email", user.Email);
        Add(identity, "phone_number", user.Mobile);
        Add(identity, TokenAuthClaimTypes.ClientId, info.ClientId);
        // No tenant_id from user.TenantId: tenant claims name the tenant the request is scoped to (ApplyAsync adds them with
        // tenant_code), never the target's home tenant, or RequireTenant() would pass for a request that named none.
        foreach (var role in user.Roles)
        {
            Add(identity, TokenAuthClaimTypes.Role, role);
        }

        // The token's scopes stay the token's: sudo changes who, not what.
        foreach (var scope in info.Scopes)
        {
            Add(identity, TokenAuthClaimTypes.Scope, scope);
        }

        foreach (var claim in user.Claims)
        {
            Add(identity, claim.Type, claim.Value);
        }

        identity.AddClaim(new Claim(TokenAuthClaimTypes.Actor, ActorJson(caller, info), "JSON"));
        identity.Actor = caller.Identity as ClaimsIdentity;
        return new ClaimsPrincipal(identity);
    }

    /// <summary>
    /// RFC 8693 §4.1: the acting party as a JSON object — the caller's <c>sub</c> and <c>client_id</c> — and, when the
    /// caller was itself acting for someone (its own <c>act</c> claim), that claim nested inside, so that the chain of
    /// delegation is kept, the most recent actor outermost. An <c>act</c> that is not a JSON object is not nested.
    /// </summary>
    internal static string ActorJson(ClaimsPrincipal caller, TokenInfo info)
    {
        // The buffer and writer are this thread's, reset per use: the claim's string is the one allocation.
        var buffer = t_actorBuffer ??= new System.Buffers.ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = t_actorWriter ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        writer.WriteStartObject();
        writer.WriteString("sub", caller.FindFirst(TokenAuthClaimTypes.Subject)?.Value);
        writer.WriteString("client_id", info.ClientId);
        if (caller.FindFirst(TokenAuthClaimTypes.Actor)?.Value is { } previous && TryParseObject(previous, out var nested))
        {
            writer.WritePropertyName("act");
            nested.WriteTo(writer);
        }

        writer.WriteEndObject();
        writer.Flush();
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [ThreadStatic]
    private static System.Buffers.ArrayBufferWriter<byte>? t_actorBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_actorWriter;

    private static bool TryParseObject(string json, out JsonElement element)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            element = document.RootElement.Clone();
            return element.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            element = default;
            return false;
        }
    }

    private static void Add(ClaimsIdentity identity, string type, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            identity.AddClaim(new Claim(type, value));
        }
    }

    private const int MaxTenantValueLength = 128;

    private static bool IsTenantValue(string? value)
        => value is null || (value.Length is > 0 and <= MaxTenantValueLength && !value.Any(char.IsControl));

    /// <summary>
    /// The store calls of one request: each within its store's deadline and circuit, a failure marked as a store fault
    /// (503) rather than a bug, and tenants and users found kept in the node's cache for their configured duration.
    /// </summary>
    private sealed class StoreCalls(
        ITenantStore? tenants, ISudoUserStore? users, TokenAuthOptions options, ImpersonationCache? cache, ILogger logger, CancellationToken requestAborted)
    {
        public ValueTask<TenantInfo?> FindTenantAsync(bool byCode, string value)
        {
            var key = new ImpersonationCache.TenantKey(byCode, value);
            return FindThroughCacheAsync(
                cache?.Tenants,
                key,
                options.Tenants.CacheDuration,
                options.Backends.Tenants,
                static (s, ct) => s.Key.ByCode ? s.Store.FindByCodeAsync(s.Key.Value, ct) : s.Store.FindByIdAsync(s.Key.Value, ct),
                (Store: tenants!, Key: key));
        }

        public ValueTask<SudoUser?> FindUserAsync(SudoTarget target, TenantInfo? tenant)
            => FindThroughCacheAsync(
                cache?.Users,
                // The same uid may be another person in another tenant: the tenant is part of the key.
                new ImpersonationCache.UserKey(target.Kind, target.Value, tenant?.Id),
                options.Sudo.CacheDuration,
                options.Backends.SudoUsers,
                static (s, ct) => s.Store.FindUserAsync(s.Target, s.Tenant, ct),
                (Store: users!, Target: target, Tenant: tenant));

        /// <summary>Never cached: whether the caller may act as the user is decided on every request.</summary>
        public ValueTask<bool> CanImpersonateAsync(ClaimsPrincipal caller, SudoUser user)
            => CallAsync(
                options.Backends.SudoUsers,
                static (s, ct) => s.Store.CanImpersonateAsync(s.Caller, s.User, ct),
                (Store: users!, Caller: caller, User: user));

        /// <summary>The cached answer when there is one younger than <paramref name="duration"/>; else the store's, kept when found.</summary>
        private async ValueTask<TValue?> FindThroughCacheAsync<TKey, TState, TValue>(
            LookupCache<TKey, TValue>? cache, TKey key, TimeSpan duration, BackendGuard guard,
            Func<TState, CancellationToken, ValueTask<TValue?>> find, TState state)
            where TKey : notnull
            where TValue : class
        {
            var cached = duration > TimeSpan.Zero ? cache : null;
            if (cached is not null && cached.TryGet(key, duration, out var hit))
            {
                return hit;
            }

            var generation = cached?.Generation ?? 0;
            var value = await CallAsync(guard, find, state);
            if (value is not null)
            {
                cached?.Set(key, value, duration, generation);
            }

            return value;
        }

        private async ValueTask<T> CallAsync<TState, T>(BackendGuard guard, Func<TState, CancellationToken, ValueTask<T>> call, TState state)
        {
            // The client going away surfaces as OperationCanceledException (not a 503); the guard rethrows it.
            var result = await guard.CallAsync(call, state, logger, requestAborted);
            return result.Succeeded ? result.Value! : throw new StoreFaultException(result.Outcome, result.Exception, result.RetryAfter);
        }
    }

    private sealed class StoreFaultException(BackendOutcome outcome, Exception? inner, TimeSpan? retryAfter)
        : Exception("A user or tenant store failed.", inner)
    {
        public BackendOutcome Outcome { get; } = outcome;

        public TimeSpan? RetryAfter { get; } = retryAfter;
    }

    /// <summary>
    /// Whether values that differ as text name one user: <c>UID:1</c> and <c>uid: 1</c>, or <c>username:</c> and
    /// <c>loginName:</c> when the alias is on, are one value — the kind is case-insensitive, the user's value is not.
    /// </summary>
    private static bool SameSudoTarget(StringValues values, SudoOptions options)
    {
        SudoTarget? first = null;
        foreach (var raw in values)
        {
            if (!SudoParser.TryParse(raw ?? string.Empty, options, out var target, out _, out _) || (first is not null && first != target))
            {
                return false;
            }

            first ??= target;
        }

        return true;
    }

    private static bool TrySingle(StringValues values, out string? value)
    {
        value = null;
        foreach (var raw in values)
        {
            var candidate = raw ?? string.Empty;
            if (value is null)
            {
                value = candidate;
            }
            else if (!string.Equals(value.Trim(), candidate.Trim(), StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static string Printable(string value)
        => new([.. value.Take(64).Select(c => c is >= ' ' and <= '~' && c is not ('"' or '\\') ? c : '?')]);
}
