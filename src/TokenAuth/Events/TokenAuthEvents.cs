namespace TokenAuth;

/// <summary>
/// Hooks into TokenAuth's request flow, as <c>JwtBearerEvents</c> does for JwtBearer: set a delegate, or derive and override.
/// </summary>
public class TokenAuthEvents
{
    /// <summary>Invoked first; may supply the token or end authentication.</summary>
    public Func<MessageReceivedContext, Task> OnMessageReceived { get; set; } = NoMessageReceived;

    /// <summary>Invoked when a token was valid and the principal built; may replace or reject it.</summary>
    public Func<TokenValidatedContext, Task> OnTokenValidated { get; set; } = NoTokenValidated;

    /// <summary>Invoked when a token was refused or could not be checked.</summary>
    public Func<AuthenticationFailedContext, Task> OnAuthenticationFailed { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invoked before a 401/400/503 challenge is written; may write its own envelope.</summary>
    public Func<TokenAuthChallengeContext, Task> OnChallenge { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invoked before a 403 is written; may write its own envelope.</summary>
    public Func<ForbiddenContext, Task> OnForbidden { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invoked when a sudo request is about to act as another user; may audit or deny it.</summary>
    public Func<ImpersonatingContext, Task> OnImpersonating { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invokes <see cref="OnImpersonating"/>.</summary>
    /// <param name="context">The context.</param>
    public virtual Task Impersonating(ImpersonatingContext context) => OnImpersonating(context);

    /// <summary>Invokes <see cref="OnMessageReceived"/>.</summary>
    /// <param name="context">The context.</param>
    public virtual Task MessageReceived(MessageReceivedContext context) => OnMessageReceived(context);

    /// <summary>Invokes <see cref="OnTokenValidated"/>.</summary>
    /// <param name="context">The context.</param>
    public virtual Task TokenValidated(TokenValidatedContext context) => OnTokenValidated(context);

    /// <summary>Invokes <see cref="OnAuthenticationFailed"/>.</summary>
    /// <param name="context">The context.</param>
    public virtual Task AuthenticationFailed(AuthenticationFailedContext context) => OnAuthenticationFailed(context);

    /// <summary>Invokes <see cref="OnChallenge"/>.</summary>
    /// <param name="context">The context.</param>
    public virtual Task Challenge(TokenAuthChallengeContext context) => OnChallenge(context);

    /// <summary>Invokes <see cref="OnForbidden"/>.</summary>
    /// <param name="context">The context.</param>
    public virtual Task Forbidden(ForbiddenContext context) => OnForbidden(context);

    // The defaults, so that the handler can tell an event nobody listens to and skip building its context.
    private static readonly Func<MessageReceivedContext, Task> NoMessageReceived = _ => Task.CompletedTask;
    private static readonly Func<TokenValidatedContext, Task> NoTokenValidated = _ => Task.CompletedTask;

    /// <summary>Whether <see cref="MessageReceived"/> may do something: a subclass, or a delegate of the host's.</summary>
    internal bool ListensToMessageReceived => GetType() != typeof(TokenAuthEvents) || !ReferenceEquals(OnMessageReceived, NoMessageReceived);

    /// <summary>Whether <see cref="TokenValidated"/> may do something: a subclass, or a delegate of the host's.</summary>
    internal bool ListensToTokenValidated => GetType() != typeof(TokenAuthEvents) || !ReferenceEquals(OnTokenValidated, NoTokenValidated);
}
