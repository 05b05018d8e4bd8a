using Microsoft.AspNetCore.Http;

namespace TokenAuth;

/// <summary>
/// Carries the scopes a failed scope requirement wanted from authorization to the 403 challenge,
/// so that it can say <c>scope="…"</c> (RFC 6750 §3.1).
/// </summary>
internal static class ScopeFailure
{
    private static readonly object Key = new();

    public static void Add(HttpContext context, IEnumerable<string> scopes)
    {
        var list = context.Items.TryGetValue(Key, out var existing) && existing is List<string> l ? l : [];
        list.AddRange(scopes.Where(s => !list.Contains(s)));
        context.Items[Key] = list;
    }

    public static IReadOnlyList<string>? Get(HttpContext context)
        => context.Items.TryGetValue(Key, out var value) ? value as List<string> : null;
}
