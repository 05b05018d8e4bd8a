namespace TokenAuth.Server;

/// <summary>What a token answer says: the token, its remaining lifetime, its scopes, a refresh token, extra members.</summary>
internal sealed record TokenAnswer(string AccessToken, TimeSpan ExpiresIn, IReadOnlyList<string> Scopes, string? RefreshToken = null)
{
    /// <summary>Further members, written after the standard ones (seed 003's <c>account_type</c>), by canonical snake_case name.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extra { get; init; } = [];
}
