namespace TokenAuth.Server;

/// <summary>How a profile spells its answers: member names, the token type, number formats, an envelope.</summary>
public sealed class TokenResponseFormat
{
    /// <summary>How members are spelled, in answers and errors. Default snake_case (RFC 6749).</summary>
    public MemberNaming Naming { get; set; } = MemberNaming.SnakeCase;

    /// <summary>The <c>token_type</c> written. Default <c>Bearer</c>; the value is case-insensitive (RFC 6749 §5.1).</summary>
    public string TokenType { get; set; } = "Bearer";

    /// <summary>Write <c>expires_in</c> as a JSON string (<c>"43200"</c>) where a document types it as a string. Default a number.</summary>
    public bool ExpiresInAsString { get; set; }

    /// <summary>An envelope around answers and errors, or <see langword="null"/> for plain JSON (the default).</summary>
    public ResponseEnvelope? Envelope { get; set; }
}
