namespace TokenAuth.Server;

/// <summary>What the issuer hands back for one successful grant.</summary>
internal sealed record IssuedToken(string AccessToken, TimeSpan Lifetime, IReadOnlyList<string> Scopes, string? RefreshToken = null);
