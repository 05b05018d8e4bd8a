namespace TokenAuth;

/// <summary>What every node must forget: a token (by hash), a tenant, a user, or everything it holds locally.</summary>
internal readonly record struct RevocationMessage(RevocationScope Scope, string? Key = null)
{
    private const char Separator = ':';

    public static RevocationMessage Token(TokenHash hash) => new(RevocationScope.Token, hash.Value);

    /// <summary>Everything local: what a node does when it reconnects, since it may have missed messages.</summary>
    public static RevocationMessage Everything { get; } = new(RevocationScope.Everything);

    /// <summary>The wire form: <c>t:&lt;hex&gt;</c>, <c>n:&lt;tenant&gt;</c>, <c>u:&lt;user&gt;</c>, <c>n:</c> / <c>u:</c> for all, <c>*</c>.</summary>
    public string Encode() => Scope switch
    {
        RevocationScope.Token => "t:" + Key,
        RevocationScope.Tenant => "n:" + Key,
        RevocationScope.User => "u:" + Key,
        _ => "*",
    };

    /// <summary>Reads the wire form; anything else is <see langword="null"/> (a message from a newer version, or noise).</summary>
    public static RevocationMessage? Decode(string? value)
    {
        if (value == "*")
        {
            return Everything;
        }

        if (value is not { Length: >= 2 } || value[1] != Separator)
        {
            return null;
        }

        var key = value[2..];
        return value[0] switch
        {
            't' when key.Length == 64 => new RevocationMessage(RevocationScope.Token, key),
            'n' => new RevocationMessage(RevocationScope.Tenant, key.Length == 0 ? null : key),
            'u' => new RevocationMessage(RevocationScope.User, key.Length == 0 ? null : key),
            _ => null,
        };
    }
}

/// <summary>The kinds of <see cref="RevocationMessage"/>.</summary>
internal enum RevocationScope
{
    /// <summary>One token, by hash.</summary>
    Token,

    /// <summary>One tenant, or all of them.</summary>
    Tenant,

    /// <summary>One user, or all of them.</summary>
    User,

    /// <summary>Everything a node holds locally.</summary>
    Everything,
}
