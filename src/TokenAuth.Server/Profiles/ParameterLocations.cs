namespace TokenAuth.Server;

/// <summary>Where a profile reads its request parameters. A parameter given in two places, or twice in one, is refused.</summary>
[Flags]
public enum ParameterLocations
{
    /// <summary>Nowhere.</summary>
    None = 0,

    /// <summary>The query string (seed 001's GET requests, seed 003's and seed 004's POSTs).</summary>
    Query = 1,

    /// <summary>An <c>application/x-www-form-urlencoded</c> body (RFC 6749 §3.2).</summary>
    Form = 2,

    /// <summary>An <c>application/json</c> body whose members are strings or numbers (seed 002).</summary>
    Json = 4,
}
