namespace TokenAuth.Server;

/// <summary>An authorization request that passed every check (RFC 6749 §4.1.1, §4.2.1, RFC 7636 §4.3).</summary>
/// <param name="Client">The client.</param>
/// <param name="RedirectUri">Where the answer goes: the <c>redirect_uri</c> given, or the client's only one.</param>
/// <param name="GivenRedirectUri">The <c>redirect_uri</c> as the request gave it, <see langword="null"/> when left out; a code is bound to it (§4.1.3).</param>
/// <param name="IsImplicit"><c>response_type=token</c>: the answer is an access token in the redirect's fragment.</param>
/// <param name="Scopes">The scopes granted on consent.</param>
/// <param name="State">The client's <c>state</c>, echoed in every redirect.</param>
/// <param name="CodeChallenge">The PKCE challenge, if any.</param>
/// <param name="CodeChallengeMethod"><c>S256</c> or <c>plain</c> when <paramref name="CodeChallenge"/> is set.</param>
internal sealed record AuthorizationRequest(
    TokenClient Client,
    string RedirectUri,
    string? GivenRedirectUri,
    bool IsImplicit,
    IReadOnlyList<string> Scopes,
    string? State,
    string? CodeChallenge,
    string? CodeChallengeMethod)
{
    /// <summary>The name the pages show for the client.</summary>
    public string ClientName => string.IsNullOrWhiteSpace(Client.DisplayName) ? Client.ClientId : Client.DisplayName;
}
