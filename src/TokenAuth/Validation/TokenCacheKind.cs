namespace TokenAuth;

/// <summary>What a cache entry remembers; part of its key, <c>tokenauth:c:&lt;kind&gt;:&lt;hash&gt;</c>.</summary>
internal enum TokenCacheKind
{
    /// <summary>An introspection answer, active or not; memory and Redis.</summary>
    Introspection,

    /// <summary>A JWT validated locally; memory only.</summary>
    Jwt,

    /// <summary>A token-store hit; memory only, and off unless turned on.</summary>
    Store,
}
