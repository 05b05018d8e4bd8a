namespace TokenAuth;

/// <summary>
/// Endpoint metadata: TokenAuth does not look for a token on this endpoint (no header, query or form is read, the
/// body is not buffered) and answers "no result", as for a request without a token. The token server's own
/// endpoints carry it — a token request's body is the server's to read, with its own bound — and a host may put it
/// on endpoints that authenticate otherwise (webhooks, login forms).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class SkipTokenAuthenticationAttribute : Attribute;
