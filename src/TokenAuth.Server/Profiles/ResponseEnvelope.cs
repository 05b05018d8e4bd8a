namespace TokenAuth.Server;

/// <summary>
/// A JSON envelope around the answer, as many platforms use: a code, a message, the data, and optionally a
/// success flag, a status word, a timestamp and a tracking id. Errors use the same envelope with the data
/// <see langword="null"/>, so a client reads every answer the same way. Members set to <see langword="null"/>
/// are not written.
/// </summary>
public sealed class ResponseEnvelope
{
    /// <summary>The member holding the result code. Default <c>code</c>.</summary>
    public string CodeMember { get; set; } = "code";

    /// <summary>The code of a success. Default 200.</summary>
    public int SuccessCode { get; set; } = 200;

    /// <summary>
    /// The code of an error: <see langword="null"/> (the default) writes the HTTP status (400, 401, 429, 503…);
    /// a value writes that value for every error.
    /// </summary>
    public int? ErrorCode { get; set; }

    /// <summary>The member holding a human-readable message. Default <c>message</c>.</summary>
    public string? MessageMember { get; set; } = "message";

    /// <summary>The message of a success. Default <c>ok</c>.</summary>
    public string SuccessMessage { get; set; } = "ok";

    /// <summary>The member holding the data. Default <c>data</c>.</summary>
    public string DataMember { get; set; } = "data";

    /// <summary>What the data member holds on success.</summary>
    public EnvelopeData Data { get; set; } = EnvelopeData.TokenObject;

    /// <summary>A member holding the RFC 6749 error code of an error (e.g. <c>invalid_client</c>), or <see langword="null"/>.</summary>
    public string? ErrorMember { get; set; }

    /// <summary>A boolean member, <see langword="true"/> on success (seed 004's <c>ok</c>), or <see langword="null"/>.</summary>
    public string? SuccessFlagMember { get; set; }

    /// <summary>A string member holding <see cref="SuccessStatus"/> or <see cref="ErrorStatus"/> (seed 004's <c>_status</c>), or <see langword="null"/>.</summary>
    public string? StatusMember { get; set; }

    /// <summary>The status word of a success. Default <c>SUCCESS</c>.</summary>
    public string SuccessStatus { get; set; } = "SUCCESS";

    /// <summary>The status word of an error. Default <c>FAILURE</c>.</summary>
    public string ErrorStatus { get; set; } = "FAILURE";

    /// <summary>A member holding the answer's time in Unix epoch milliseconds (seed 004's <c>timestamp</c>), or <see langword="null"/>.</summary>
    public string? TimestampMember { get; set; }

    /// <summary>
    /// A member holding a tracking id (seed 004's <c>trackId</c>): the request's <see cref="TrackingHeader"/>
    /// when it is a short printable value, else the request's trace identifier. <see langword="null"/>: none.
    /// </summary>
    public string? TrackIdMember { get; set; }

    /// <summary>The request header whose value becomes the tracking id. Default <c>Request-Id</c> (seed 004).</summary>
    public string TrackingHeader { get; set; } = "Request-Id";

    /// <summary>Members always written as <see langword="null"/> (seed 004's <c>extr</c>).</summary>
    public IList<string> NullMembers { get; set; } = [];

    /// <summary>
    /// Whether an error is answered with its HTTP status (400, 401…; the default) or with 200 and the error in the
    /// envelope only, as some platforms do.
    /// </summary>
    public bool ErrorsUseHttpStatus { get; set; } = true;
}
