namespace TokenAuth;

/// <summary>The unit of a numeric date claim.</summary>
public enum EpochUnit
{
    /// <summary>Seconds since 1970-01-01T00:00:00Z (RFC 7519 NumericDate).</summary>
    Seconds,

    /// <summary>Milliseconds since 1970-01-01T00:00:00Z, as some platforms issue (e.g. <c>expiredate</c>).</summary>
    Milliseconds,
}
