using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace TokenAuth;

/// <summary>
/// Authenticates a request by its access token: find it (header, query, form), check its shape, validate it,
/// build the principal. Failures answer RFC 6750 challenges: 401 <c>invalid_token</c>, 400 <c>invalid_request</c>,
/// 403 <c>insufficient_scope</c>, and 503 with <c>Retry-After</c> when a backend is unavailable (fail closed).
/// </summary>
/// <param name="options">The scheme options.</param>
/// <param name="logger">The logger factory.</param>
/// <param name="encoder">The URL encoder.</param>
public class TokenAuthHandler(IOptionsMonitor<TokenAuthOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<TokenAuthOptions>(options, logger, encoder)
{
    /// <summary>The events of the scheme.</summary>
    protected new TokenAuthEvents Events
    {
        get => (TokenAuthEvents)base.Events!;
        set => base.Events = value;
    }

    /// <inheritdoc />
    protected override Task<object> CreateEventsAsync() => Task.FromResult<object>(new TokenAuthEvents());

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var started = Stopwatch.GetTimestamp();
        _source = null;
        var result = await AuthenticateCoreAsync();
        Options.Metrics?.Authenticated(result, _source, Stopwatch.GetElapsedTime(started));
        return result;
    }

    // Where the token of the request being authenticated came from, for the metrics; null without a token.
    private TokenSource? _source;

    private async ValueTask<AuthenticateResult> AuthenticateCoreAsync()
    {
        if (Context.GetEndpoint()?.Metadata.GetMetadata<SkipTokenAuthenticationAttribute>() is not null)
        {
            // The endpoint is not authenticated by a token (the token server's own endpoints): read nothing.
            return AuthenticateResult.NoResult();
        }

        string? token = null;
        if (Events.ListensToMessageReceived)
        {
            // Built only for a host that listens: most requests have no use for it.
            var messageReceived = new MessageReceivedContext(Context, Scheme, Options);
            await Events.MessageReceived(messageReceived);
            if (messageReceived.Result is not null)
            {
                return messageReceived.Result;
            }

            token = messageReceived.Token;
        }

        var source = TokenSource.Event;
        if (token is null)
        {
            var extraction = await TokenExtractor.ExtractAsync(Context, Options.Sources, Context.RequestAborted);
            if (extraction.Error is not null)
            {
                Log.InvalidRequest(Logger, extraction.Error);
                return await FailAsync(TokenAuthException.InvalidRequest(extraction.Error));
            }

            if (extraction.Token is null)
            {
                Log.TokenNotFound(Logger);
                return AuthenticateResult.NoResult();
            }

            token = extraction.Token;
            source = extraction.Source;
        }

        _source = source;

        if (source == TokenSource.Query)
        {
            // RFC 6750 §2.3: a response to a request with a token in the URI should not be cached.
            Response.OnStarting(static state =>
            {
                var headers = ((HttpResponse)state).Headers;
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
                return Task.CompletedTask;
            }, Response);
        }

        if (TokenShape.Check(token, Options.MaxTokenLength) is { } shapeError)
        {
            Log.TokenRefused(Logger, "-", source, shapeError);
            return await FailAsync(TokenAuthException.InvalidToken(shapeError));
        }

        var result = await ValidateAsync(token);
        if (result.Status != TokenCheckStatus.Valid)
        {
            return await FailAsync(ToException(result, token, source));
        }

        var info = result.Info!;
        var now = TimeProvider.GetUtcNow();
        if (info.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            // Checked here too, whatever the validator or a cache said (DESIGN step 4).
            return await FailAsync(TokenAuthException.InvalidToken(Messages.Expired(expiresAt)));
        }

        var principal = TokenPrincipalFactory.Create(info, Scheme.Name, ClaimsIssuer);

        // Sudo and tenant: applied per request, after validation (and any cache), never cached themselves.
        var scoped = await ImpersonationResolver.ApplyAsync(Context, Scheme, Options, Events, principal, info, Logger);
        if (scoped.Failure is not null)
        {
            return await FailAsync(scoped.Failure);
        }

        principal = scoped.Principal;
        var properties = Properties(info);
        if (Options.SaveToken)
        {
            properties.StoreTokens([new AuthenticationToken { Name = TokenAuthDefaults.AccessTokenParameter, Value = token }]);
        }

        if (Events.ListensToTokenValidated)
        {
            var validated = new TokenValidatedContext(Context, Scheme, Options, info, source) { Principal = principal, Properties = properties };
            await Events.TokenValidated(validated);
            if (validated.Result is not null)
            {
                return validated.Result;
            }

            // The event may have replaced the principal or the properties.
            principal = validated.Principal ?? principal;
            properties = validated.Properties;
        }

        Context.Features.Set<ITokenAuthFeature>(!Options.SaveToken && scoped.Original is null && scoped.Tenant is null
            ? info.Derived.Feature(source)   // immutable, shared by the requests of this TokenInfo
            : new TokenAuthFeature(source, Options.SaveToken ? token : null, info) { OriginalPrincipal = scoped.Original, Tenant = scoped.Tenant });
        if (Logger.IsEnabled(LogLevel.Debug))
        {
            Log.TokenValidated(Logger, TokenHash.Compute(token).Prefix, source, info.Subject);
        }

        return AuthenticateResult.Success(new AuthenticationTicket(principal, properties, Scheme.Name));
    }

    /// <summary>
    /// The ticket's properties: <see cref="AuthenticationProperties.ExpiresUtc"/> and <see cref="AuthenticationProperties.IssuedUtc"/>
    /// from the token, as JwtBearer sets them. Stored in the form those setters write (<c>.expires</c>, <c>.issued</c>, RFC 1123)
    /// from strings formatted once per TokenInfo, not twice per request.
    /// </summary>
    private static AuthenticationProperties Properties(TokenInfo info)
    {
        var properties = new AuthenticationProperties();
        var derived = info.Derived;
        if (derived.ExpiresText is { } expires)
        {
            properties.Items[ExpiresKey] = expires;
        }

        if (derived.IssuedText is { } issued)
        {
            properties.Items[IssuedKey] = issued;
        }

        return properties;
    }

    // AuthenticationProperties' own keys for ExpiresUtc and IssuedUtc (a test reads them back through the properties).
    private const string ExpiresKey = ".expires";
    private const string IssuedKey = ".issued";

    private async ValueTask<TokenCheckResult> ValidateAsync(string token)
    {
        try
        {
            return await Options.Validator!.ValidateAsync(token, Context.RequestAborted);
        }
        catch (OperationCanceledException) when (Context.RequestAborted.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A validator that throws is a backend fault, not a verdict on the token: fail closed with 503.
            Log.ValidatorFaulted(Logger, TokenHash.Compute(token).Prefix, LogRedaction.Redact(ex));
            return TokenCheckResult.Unavailable("The token could not be checked.", ex);
        }
    }

    private TokenAuthException ToException(TokenCheckResult result, string token, TokenSource source)
    {
        var hash = TokenHash.Compute(token).Prefix;
        if (result.Status == TokenCheckStatus.Unavailable)
        {
            Log.ValidatorUnavailable(Logger, hash, result.Failure!, result.Exception);
            return TokenAuthException.Unavailable(result.Failure!, result.RetryAfter ?? Options.RetryAfter, result.Exception);
        }

        Log.TokenRefused(Logger, hash, source, result.Failure!);
        return TokenAuthException.InvalidToken(result.Failure!, result.Exception);
    }

    private async Task<AuthenticateResult> FailAsync(TokenAuthException exception)
    {
        var failed = new AuthenticationFailedContext(Context, Scheme, Options, exception);
        await Events.AuthenticationFailed(failed);
        return failed.Result ?? AuthenticateResult.Fail(failed.Exception);
    }

    /// <inheritdoc />
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var authResult = await HandleAuthenticateOnceSafeAsync();
        var challenge = new TokenAuthChallengeContext(Context, Scheme, Options, properties) { AuthenticateFailure = authResult.Failure };
        switch (authResult.Failure)
        {
            case TokenAuthException failure:
                challenge.StatusCode = failure.StatusCode;
                challenge.Error = failure.Error;
                challenge.ErrorDescription = Options.IncludeErrorDetails ? failure.Message : null;
                challenge.RetryAfter = failure.RetryAfter;
                challenge.Scope = failure.Scope;
                break;
            case not null:
                challenge.Error = TokenAuthErrors.InvalidToken;
                break;
        }

        await Events.Challenge(challenge);
        if (challenge.Handled)
        {
            return;
        }

        Response.StatusCode = challenge.StatusCode;
        if (challenge.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling((challenge.RetryAfter ?? Options.RetryAfter).TotalSeconds));
            Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
        else if (challenge.StatusCode is StatusCodes.Status401Unauthorized or StatusCodes.Status400BadRequest
                 || challenge.Error == TokenAuthErrors.InsufficientScope)
        {
            // RFC 6750 §3: the Bearer challenge answers 401, 400 and 403 insufficient_scope; a 404 or a plain 403 has none.
            Response.Headers.Append(HeaderNames.WWWAuthenticate, BuildChallenge(challenge.Error, challenge.ErrorDescription, challenge.ErrorUri, challenge.Scope));
        }

        if (Options.WriteProblemDetails)
        {
            await ProblemWriter.WriteAsync(Context, challenge.StatusCode, challenge.Error, challenge.ErrorDescription ?? DefaultDetail(challenge.StatusCode));
        }
    }

    /// <inheritdoc />
    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var forbidden = new ForbiddenContext(Context, Scheme, Options, properties)
        {
            RequiredScopes = ScopeFailure.Get(Context) ?? [],
        };
        await Events.Forbidden(forbidden);
        if (forbidden.Handled)
        {
            return;
        }

        Response.StatusCode = StatusCodes.Status403Forbidden;
        string? error = null;
        string? description = null;
        if (forbidden.RequiredScopes.Count > 0)
        {
            var scope = string.Join(' ', forbidden.RequiredScopes);
            error = TokenAuthErrors.InsufficientScope;
            description = Options.IncludeErrorDetails ? $"The token lacks the scope this resource requires: {scope}." : null;
            Response.Headers.Append(HeaderNames.WWWAuthenticate, BuildChallenge(error, description, errorUri: null, scope));
        }

        if (Options.WriteProblemDetails)
        {
            await ProblemWriter.WriteAsync(Context, StatusCodes.Status403Forbidden, error, description ?? "The caller is not allowed to access this resource.");
        }
    }

    private string BuildChallenge(string? error, string? description, string? errorUri, string? scope)
        => BuildChallenge(Options.Sources.AuthorizationScheme, Options.Realm, error, description, errorUri, scope);

    /// <summary>
    /// The <c>WWW-Authenticate</c> value: RFC 6750 §3, every parameter an RFC 9110 quoted-string of printable ASCII (quote
    /// and backslash escaped, anything else replaced by <c>?</c>), so that no input can break the header.
    /// </summary>
    internal static string BuildChallenge(string authorizationScheme, string? realm, string? error, string? description, string? errorUri, string? scope)
    {
        // RFC 6750 §3: Bearer [realm="…"][, error="…"][, error_description="…"][, error_uri="…"][, scope="…"].
        var builder = new StringBuilder(authorizationScheme);
        var first = true;
        Append(builder, "realm", realm, ref first);
        Append(builder, "error", error, ref first);
        Append(builder, "error_description", description, ref first);
        Append(builder, "error_uri", errorUri, ref first);
        Append(builder, "scope", scope, ref first);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, string name, string? value, ref bool first)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        builder.Append(first ? " " : ", ").Append(name).Append("=\"");
        // quoted-string (RFC 7230 §3.2.6): escape quote and backslash, drop anything not printable.
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c is >= ' ' and <= '~' ? c : '?');
        }

        builder.Append('"');
        first = false;
    }

    private static string DefaultDetail(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The request is malformed.",
        StatusCodes.Status403Forbidden => "The caller is not allowed to access this resource.",
        StatusCodes.Status404NotFound => "The user or tenant the request names was not found.",
        StatusCodes.Status503ServiceUnavailable => "Authentication is temporarily unavailable.",
        _ => "An access token is required.",
    };
}
