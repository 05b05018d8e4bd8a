namespace TokenAuth;

/// <summary>The user a sudo request names: <c>uid:1001</c> is <c>(Uid, "1001")</c>.</summary>
/// <param name="Kind">Which attribute names the user.</param>
/// <param name="Value">The attribute's value, trimmed.</param>
public sealed record SudoTarget(SudoKind Kind, string Value)
{
    /// <summary>The canonical form, e.g. <c>loginName:alice</c>.</summary>
    public override string ToString() => $"{SudoParser.Prefix(Kind)}:{Value}";
}
