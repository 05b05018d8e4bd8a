namespace TokenAuth;

/// <summary>A claim carried by a token beyond the well-known members of <see cref="TokenInfo"/>.</summary>
/// <param name="Type">The claim type, e.g. <c>department</c>.</param>
/// <param name="Value">The claim value as a string.</param>
public sealed record TokenClaim(string Type, string Value);
