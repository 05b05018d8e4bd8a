namespace TokenAuth.Server;

/// <summary>A profile prepared for serving: the reverse map of its parameter names, computed once at start-up.</summary>
internal sealed class ServerEndpoint
{
    public ServerEndpoint(TokenServerProfile profile)
    {
        Profile = profile;
        var canonical = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in KnownParameters)
        {
            canonical[profile.WireName(name)] = name;
        }

        CanonicalNames = canonical;
    }

    public TokenServerProfile Profile { get; }

    /// <summary>Wire name → canonical name. Query and form keys are case-insensitive in ASP.NET Core, so this map is too.</summary>
    public IReadOnlyDictionary<string, string> CanonicalNames { get; }

    internal static readonly string[] KnownParameters =
    [
        OAuthParameters.GrantType, OAuthParameters.ClientId, OAuthParameters.ClientSecret, OAuthParameters.Scope,
        OAuthParameters.RefreshToken, OAuthParameters.Code, OAuthParameters.RedirectUri, OAuthParameters.CodeVerifier,
        OAuthParameters.CodeChallenge, OAuthParameters.CodeChallengeMethod, OAuthParameters.ResponseType, OAuthParameters.State,
        OAuthParameters.Username, OAuthParameters.Password, OAuthParameters.Token, OAuthParameters.TokenTypeHint,
        OAuthParameters.UserId, OAuthParameters.UserType, OAuthParameters.AccountType,
    ];
}
