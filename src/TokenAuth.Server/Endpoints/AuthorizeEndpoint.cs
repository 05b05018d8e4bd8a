using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace TokenAuth.Server;

/// <summary>
/// The authorization endpoint (RFC 6749 §3.1): a login page, a consent page, then a redirect to the client's registered
/// <c>redirect_uri</c> with a code (§4.1.2, PKCE per RFC 7636) or, for a client allowed the implicit grant, an access
/// token in the fragment (§4.2.2). The authorization request travels in the query string on every step: a GET shows a
/// page, the page's form POSTs back to the same URL with its own fields, and the request is checked again each time.
/// A request whose client or redirect URI cannot be trusted gets an error page, never a redirect (§4.1.2.1); every
/// other error goes back to the client.
/// </summary>
internal sealed class AuthorizeEndpoint(
    IClientStore clients,
    UserAuthenticator userAuthenticator,
    TokenIssuer issuer,
    LoginCookie loginCookie,
    IAntiforgery antiforgery,
    IOptions<TokenServerOptions> options,
    ILogger<AuthorizeEndpoint> logger)
{
    private const string CodeResponse = "code";
    private const string TokenResponse = "token";

    public async Task HandleAsync(HttpContext context, ServerEndpoint endpoint)
    {
        try
        {
            await HandleCoreAsync(context, endpoint);
        }
        catch (TokenStoreUnavailableException ex)
        {
            // Fail closed, and say so: no code or token was handed out.
            Log.StoreUnavailable(logger, endpoint.Profile.Name, LogRedaction.Redact(ex.InnerException!));
            await AuthorizePages.WriteErrorAsync(context, OAuthError.Unavailable(options.Value.RetryAfter));
        }
    }

    private async Task HandleCoreAsync(HttpContext context, ServerEndpoint endpoint)
    {
        // The authorization request is in the query string on every step; a POST's body holds the page's own fields.
        var (request, readError) = ProtocolRequestReader.ReadQuery(context, endpoint);
        if (request is null)
        {
            await RefuseWithPageAsync(context, readError!);
            return;
        }

        var (client, redirectUri, clientError) = await FindClientAsync(request);
        if (clientError is not null)
        {
            await RefuseWithPageAsync(context, clientError);
            return;
        }

        // From here on the redirect URI is the client's own: errors go back to it (§4.1.2.1), in the fragment for
        // response_type=token (§4.2.2.1).
        var isImplicit = request[OAuthParameters.ResponseType] == TokenResponse;
        var state = request[OAuthParameters.State];
        var (authorization, error) = Validate(request, client!, redirectUri!, isImplicit, state);
        if (error is not null)
        {
            Redirect(context, redirectUri!, isImplicit, ErrorParameters(error, state), error);
            return;
        }

        if (UserAuthenticator.Store(request) is not { } store)
        {
            await RefuseWithPageAsync(context, new OAuthError(OAuthErrors.ServerError, "This server signs in no users: no user store is registered.", StatusCodes.Status501NotImplemented));
            return;
        }

        var form = default(Dictionary<string, StringValues>);
        if (HttpMethods.IsPost(context.Request.Method))
        {
            (form, var formError) = await ReadFormAsync(context);
            if (formError is not null)
            {
                await RefuseWithPageAsync(context, formError);
                return;
            }
        }

        var step = form is null ? null : Field(form, AuthorizePages.StepField);
        if (step == AuthorizePages.LoginStep)
        {
            await SignInAsync(request, authorization!, store, form!);
            return;
        }

        if (await loginCookie.FindUserAsync(context, store) is not { } user)
        {
            // No sign-in, an expired one, or a user the store no longer knows (a consent posted then too).
            await AuthorizePages.WriteLoginAsync(context, StatusCodes.Status200OK, antiforgery.GetAndStoreTokens(context), authorization!.ClientName, userName: null, message: null);
            return;
        }

        if (form is null || (step == AuthorizePages.ConsentStep && !string.Equals(Field(form, AuthorizePages.ShownToField), user.UserName, StringComparison.Ordinal)))
        {
            // A GET — or a consent shown to another user than the one signed in now (a sign-in in another tab): ask this one.
            await AuthorizePages.WriteConsentAsync(context, antiforgery.GetAndStoreTokens(context), authorization!.ClientName, user, authorization.Scopes, authorization.RedirectUri);
            return;
        }

        var decision = step == AuthorizePages.ConsentStep ? Field(form, AuthorizePages.DecisionField) : null;
        switch (decision)
        {
            case AuthorizePages.Allow:
                await GrantAsync(request, authorization!, user);
                break;
            case AuthorizePages.Deny:
                var denied = new OAuthError(OAuthErrors.AccessDenied, "The user denied the request.");
                Redirect(context, authorization!.RedirectUri, isImplicit, ErrorParameters(denied, state), denied);
                break;
            default:
                await RefuseWithPageAsync(context, OAuthError.InvalidRequest("The form is incomplete: post the login or consent page as it was shown."));
                break;
        }
    }

    /// <summary>§4.1.2.1: the client and its redirect URI first; when either is wrong the user is told, not redirected.</summary>
    private async Task<(TokenClient? Client, string? RedirectUri, OAuthError? Error)> FindClientAsync(ProtocolRequest request)
    {
        if (request[OAuthParameters.ClientId] is not { } clientId)
        {
            return (null, null, OAuthError.InvalidRequest($"The request names no client: the parameter '{request.Wire(OAuthParameters.ClientId)}' is required."));
        }

        if (await StoreGuard.RunAsync(() => clients.FindByIdAsync(clientId, request.Aborted), request.Aborted) is not { } client)
        {
            return (null, null, OAuthError.InvalidClient("The client is unknown.") with { StatusCode = StatusCodes.Status400BadRequest });
        }

        if (request[OAuthParameters.RedirectUri] is { } given)
        {
            // RFC 9700 §4.1.3: exact string comparison, no pattern, no normalisation.
            return client.RedirectUris.Contains(given, StringComparer.Ordinal)
                ? (client, given, null)
                : (null, null, OAuthError.InvalidRequest($"The {request.Wire(OAuthParameters.RedirectUri)} is not one registered for this client."));
        }

        // §3.1.2.3: it may be left out only when there is exactly one.
        return client.RedirectUris.Count == 1
            ? (client, client.RedirectUris[0], null)
            : (null, null, OAuthError.InvalidRequest($"The parameter '{request.Wire(OAuthParameters.RedirectUri)}' is required: the client has {(client.RedirectUris.Count == 0 ? "none" : "several")} registered."));
    }

    private static (AuthorizationRequest? Request, OAuthError? Error) Validate(ProtocolRequest request, TokenClient client, string redirectUri, bool isImplicit, string? state)
    {
        var responseType = request[OAuthParameters.ResponseType];
        if (responseType is null)
        {
            return (null, OAuthError.InvalidRequest($"The parameter '{request.Wire(OAuthParameters.ResponseType)}' is required."));
        }

        if (responseType is not (CodeResponse or TokenResponse))
        {
            return (null, new OAuthError(OAuthErrors.UnsupportedResponseType, $"The response_type '{OAuthError.Printable(responseType)}' is not supported: use code (or token, where allowed)."));
        }

        // RFC 9700 §2.1.2: the implicit grant only for a client that lists it.
        var grantType = isImplicit ? GrantTypes.Implicit : GrantTypes.AuthorizationCode;
        if (!client.Allows(grantType))
        {
            return (null, OAuthError.UnauthorizedClient($"The client may not use response_type={responseType} (the {grantType} grant)."));
        }

        var (scopes, scopeError) = TokenEndpoint.ResolveScopes(client, request[OAuthParameters.Scope]);
        if (scopeError is not null)
        {
            return (null, scopeError);
        }

        string? challenge = null;
        string? method = null;
        if (!isImplicit)
        {
            (challenge, method, var pkceError) = ValidatePkce(request, client);
            if (pkceError is not null)
            {
                return (null, pkceError);
            }
        }

        return (new AuthorizationRequest(client, redirectUri, request[OAuthParameters.RedirectUri], isImplicit, scopes, state, challenge, method), null);
    }

    /// <summary>
    /// RFC 7636 §4.3–4.4.1: a method without a challenge, an unknown method, a malformed challenge, or a missing challenge
    /// where PKCE is required (public clients always, confidential ones with <see cref="TokenClient.RequirePkce"/>) are
    /// <c>invalid_request</c>. A challenge without a method means <c>plain</c> (§4.3), refused unless
    /// <see cref="TokenClient.AllowPlainPkce"/> (§4.4.1: "transform algorithm not supported").
    /// </summary>
    private static (string? Challenge, string? Method, OAuthError? Error) ValidatePkce(ProtocolRequest request, TokenClient client)
    {
        var challenge = request[OAuthParameters.CodeChallenge];
        var method = request[OAuthParameters.CodeChallengeMethod];
        if (challenge is null)
        {
            if (method is not null)
            {
                return (null, null, OAuthError.InvalidRequest("A code_challenge_method was given without a code_challenge."));
            }

            return client.IsPublic || client.RequirePkce
                ? (null, null, OAuthError.InvalidRequest("PKCE is required for this client: send code_challenge and code_challenge_method=S256 (RFC 7636)."))
                : (null, null, null);
        }

        method ??= Pkce.Plain;
        if (method is not (Pkce.S256 or Pkce.Plain))
        {
            return (null, null, OAuthError.InvalidRequest($"The code_challenge_method '{OAuthError.Printable(method)}' is not supported: use S256."));
        }

        if (method == Pkce.Plain && !client.AllowPlainPkce)
        {
            return (null, null, OAuthError.InvalidRequest(request[OAuthParameters.CodeChallengeMethod] is null
                ? "The code_challenge has no code_challenge_method, which means plain (RFC 7636 section 4.3); plain is not allowed for this client: use S256."
                : "The plain code_challenge_method is not allowed for this client: use S256."));
        }

        return Pkce.IsValidChallenge(challenge, method)
            ? (challenge, method, null)
            : (null, null, OAuthError.InvalidRequest(method == Pkce.S256
                ? "The code_challenge must be the 43-character base64url SHA-256 of the code_verifier (RFC 7636 section 4.2)."
                : "The code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_', '~' (RFC 7636 section 4.2)."));
    }

    /// <summary>The page's own fields, from a bounded form body, after checking its antiforgery token.</summary>
    private async Task<(Dictionary<string, StringValues>? Form, OAuthError? Error)> ReadFormAsync(HttpContext context)
    {
        if (!BoundedFormReader.IsUrlEncodedForm(context.Request.ContentType))
        {
            return (null, new OAuthError(OAuthErrors.InvalidRequest, "The form must be posted as application/x-www-form-urlencoded.", StatusCodes.Status415UnsupportedMediaType));
        }

        var read = await BoundedFormReader.ReadAsync(context.Request, options.Value.MaxRequestBodyLength, context.RequestAborted);
        if (read.Fields is not { } fields)
        {
            return (null, read.TooLarge ? OAuthError.TooLarge()
                : read.ClientFault != 0 ? OAuthError.BodyNotReceived(read.ClientFault)
                : OAuthError.InvalidRequest("The form is not valid UTF-8."));
        }

        // The antiforgery reads the form we read, within our bound, not the body a second time by its own limits.
        context.Features.Set<IFormFeature>(new FormFeature(new FormCollection(fields)));
        return await antiforgery.IsRequestValidAsync(context)
            ? (fields, null)
            : (null, OAuthError.InvalidRequest("The form's antiforgery token is missing or invalid: go back, reload the page and try again."));
    }

    private async Task SignInAsync(ProtocolRequest request, AuthorizationRequest authorization, ITokenUserStore store, Dictionary<string, StringValues> form)
    {
        var context = request.Context;
        var userName = Field(form, AuthorizePages.UserNameField);
        var password = Field(form, AuthorizePages.PasswordField);
        if (userName is null || password is null)
        {
            await AuthorizePages.WriteLoginAsync(context, StatusCodes.Status200OK, antiforgery.GetAndStoreTokens(context), authorization.ClientName, userName, "Enter your user name and password.");
            return;
        }

        var (user, error) = await userAuthenticator.AuthenticateAsync(request, store, userName, password);
        if (error is not null)
        {
            // One message and one status for an unknown user and a wrong password; throttling is a 429.
            var throttled = error.StatusCode == StatusCodes.Status429TooManyRequests;
            await AuthorizePages.WriteLoginAsync(
                context,
                throttled ? StatusCodes.Status429TooManyRequests : StatusCodes.Status200OK,
                antiforgery.GetAndStoreTokens(context),
                authorization.ClientName,
                userName,
                throttled ? "Too many failed sign-ins: wait a minute, then try again." : UserAuthenticator.FailureMessage,
                error.RetryAfter);
            return;
        }

        loginCookie.SignIn(context, user!);
        Log.UserSignedIn(logger, user!.Id, authorization.Client.ClientId);
        // RFC 9700 §4.12: 303, so that the browser follows with a GET and never re-posts the credentials.
        AuthorizePages.SetSecurityHeaders(context.Response);
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = AuthorizePages.SelfUrl(context.Request);
    }

    private async Task GrantAsync(ProtocolRequest request, AuthorizationRequest authorization, TokenUser user)
    {
        var client = authorization.Client;
        var template = TokenEndpoint.ForUser(client, user, authorization.Scopes);
        var parameters = new List<KeyValuePair<string, string>>(6);
        if (authorization.IsImplicit)
        {
            // §4.2.2: an access token and no refresh token.
            var lifetime = client.AccessTokenLifetime ?? request.Profile.AccessTokenLifetime ?? options.Value.AccessTokenLifetime;
            var issued = await issuer.IssueAsync(template, lifetime, family: null, request.Aborted);
            var answer = issued!.ToAnswer();
            parameters.Add(new("access_token", answer.AccessToken));
            parameters.Add(new("token_type", request.Profile.Response.TokenType));
            parameters.Add(new("expires_in", ((long)answer.ExpiresIn.TotalSeconds).ToString(CultureInfo.InvariantCulture)));
            if (answer.Scopes.Count > 0)
            {
                parameters.Add(new("scope", string.Join(' ', answer.Scopes)));
            }

            Log.ImplicitTokenIssued(logger, client.ClientId, TokenHash.Compute(answer.AccessToken).Prefix, user.Id);
        }
        else
        {
            var grant = issuer.NewCode(template, authorization.GivenRedirectUri, authorization.CodeChallenge, authorization.CodeChallengeMethod);
            parameters.Add(new("code", await issuer.IssueCodeAsync(grant, request.Aborted)));
            Log.CodeIssued(logger, client.ClientId, user.Id);
        }

        if (authorization.State is { } state)
        {
            parameters.Add(new("state", state));
        }

        Redirect(request.Context, authorization.RedirectUri, authorization.IsImplicit, parameters, refusal: null);
    }

    private static List<KeyValuePair<string, string>> ErrorParameters(OAuthError error, string? state)
    {
        var parameters = new List<KeyValuePair<string, string>>(3) { new("error", error.Error), new("error_description", OAuthError.Printable(error.Description, int.MaxValue)) };
        if (state is not null)
        {
            parameters.Add(new("state", state));
        }

        return parameters;
    }

    /// <summary>
    /// Sends the browser to the client: the parameters appended to the redirect URI's query (keeping a query it has,
    /// §3.1.2), or put in its fragment for the implicit grant (§4.2.2). 303 after a POST (RFC 9700 §4.12), else 302.
    /// </summary>
    private void Redirect(HttpContext context, string redirectUri, bool inFragment, List<KeyValuePair<string, string>> parameters, OAuthError? refusal)
    {
        if (refusal is not null)
        {
            Log.AuthorizationRefused(logger, refusal.Error, refusal.Description);
        }

        var location = new StringBuilder(redirectUri);
        if (inFragment)
        {
            location.Append('#');
        }
        else if (redirectUri.Contains('?', StringComparison.Ordinal))
        {
            if (redirectUri[^1] is not ('?' or '&'))
            {
                location.Append('&');
            }
        }
        else
        {
            location.Append('?');
        }

        for (var i = 0; i < parameters.Count; i++)
        {
            location.Append(i == 0 ? string.Empty : "&").Append(parameters[i].Key).Append('=').Append(Uri.EscapeDataString(parameters[i].Value));
        }

        var response = context.Response;
        AuthorizePages.SetSecurityHeaders(response);
        response.StatusCode = HttpMethods.IsPost(context.Request.Method) ? StatusCodes.Status303SeeOther : StatusCodes.Status302Found;
        response.Headers.Location = location.ToString();
    }

    private Task RefuseWithPageAsync(HttpContext context, OAuthError error)
    {
        Log.AuthorizationRefused(logger, error.Error, error.Description);
        return AuthorizePages.WriteErrorAsync(context, error);
    }

    /// <summary>A field given exactly once and not empty; anything else counts as absent.</summary>
    private static string? Field(Dictionary<string, StringValues> form, string name)
        => form.TryGetValue(name, out var values) && values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;
}
