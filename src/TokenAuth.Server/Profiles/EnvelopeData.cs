namespace TokenAuth.Server;

/// <summary>What a <see cref="ResponseEnvelope"/>'s data member holds on success.</summary>
public enum EnvelopeData
{
    /// <summary>The token response as an object (seed 003's <c>datas</c>).</summary>
    TokenObject,

    /// <summary>The access token alone, as a string (seed 004's <c>data</c>).</summary>
    AccessToken,

    /// <summary>Nothing: the envelope has no data member (seed 001's revoke answer).</summary>
    None,
}
