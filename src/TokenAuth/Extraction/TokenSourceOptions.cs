namespace TokenAuth;

/// <summary>
/// Where tokens are looked for, in which order. Each source is switched on or off in one place, its own flag
/// (<see cref="AuthorizationHeader"/>, <see cref="Header"/>, <see cref="Query"/>, <see cref="Form"/>), and can be renamed;
/// <see cref="Order"/> only orders them. RFC 6750 §2 allows one token per request: two different tokens across the
/// enabled sources are a 400.
/// </summary>
public sealed class TokenSourceOptions
{
    /// <summary>The sources a request can carry a token in, in their default order.</summary>
    internal static readonly TokenSource[] Readable = [TokenSource.AuthorizationHeader, TokenSource.Header, TokenSource.Query, TokenSource.Form];

    private IList<TokenSource> _order = [.. Readable];
    private (IList<TokenSource> From, int Count, int Enabled, TokenSource[] Sources)? _readOrder;

    /// <summary>
    /// The order in which the enabled sources are read (the first token found is reported as the source; all are read,
    /// so that a second, different token is refused). Sources left out are read after the listed ones, in the default
    /// order (Authorization header, custom headers, query, form): switching a source off is its flag's job, not this list's.
    /// </summary>
    public IList<TokenSource> Order
    {
        get => _order;
        set => _order = value;
    }

    /// <summary>
    /// The enabled sources in reading order: <see cref="Order"/> without repeats, then the enabled sources it leaves out.
    /// Computed once rather than on every request (again only when the list or a flag changes: options are configured
    /// before the host starts, not while it serves).
    /// </summary>
    internal TokenSource[] ReadOrder
    {
        get
        {
            var enabled = (AuthorizationHeader ? 1 : 0) | (Header ? 2 : 0) | (Query ? 4 : 0) | (Form ? 8 : 0);
            if (_readOrder is { } cached && ReferenceEquals(cached.From, _order) && cached.Count == _order.Count && cached.Enabled == enabled)
            {
                return cached.Sources;
            }

            var sources = _order.Concat(Readable).Distinct().Where(IsEnabled).ToArray();
            _readOrder = (_order, _order.Count, enabled, sources);
            return sources;
        }
    }

    /// <summary>
    /// The sources that are read, in the order they are read: the switched-on ones, <see cref="Order"/> first. What a
    /// description of the scheme (an OpenAPI document, a help page) should list.
    /// </summary>
    public IReadOnlyList<TokenSource> EnabledSources => ReadOrder;

    /// <summary>Whether <paramref name="source"/> is read (its flag is on).</summary>
    internal bool IsEnabled(TokenSource source) => source switch
    {
        TokenSource.AuthorizationHeader => AuthorizationHeader,
        TokenSource.Header => Header,
        TokenSource.Query => Query,
        TokenSource.Form => Form,
        _ => false,
    };

    /// <summary>Read <c>Authorization: Bearer</c>. Default on.</summary>
    public bool AuthorizationHeader { get; set; } = true;

    /// <summary>The scheme word of the <c>Authorization</c> header, matched case-insensitively. Default <c>Bearer</c>.</summary>
    public string AuthorizationScheme { get; set; } = TokenAuthDefaults.BearerScheme;

    /// <summary>Read custom headers. Default on.</summary>
    public bool Header { get; set; } = true;

    /// <summary>The custom headers holding a bare token. Default <c>Access-Token</c> and <c>access_token</c>.</summary>
    public IList<string> HeaderNames { get; set; } = [TokenAuthDefaults.AccessTokenHeader, TokenAuthDefaults.AccessTokenParameter];

    /// <summary>
    /// Read the query string. Default on, because the platforms TokenAuth serves document it; a query token
    /// ends up in access logs and browser history, so responses to such requests carry <c>Cache-Control: no-store</c>
    /// (RFC 6750 §2.3). Switch it off when your clients can send a header.
    /// </summary>
    public bool Query { get; set; } = true;

    /// <summary>The query parameter. Default <c>access_token</c>.</summary>
    public string QueryName { get; set; } = TokenAuthDefaults.AccessTokenParameter;

    /// <summary>
    /// Read the field of an <c>application/x-www-form-urlencoded</c> body of a non-GET request. Default on.
    /// The body is buffered up to <see cref="MaxFormBodyLength"/> and left readable for the endpoint;
    /// multipart bodies are never read.
    /// </summary>
    public bool Form { get; set; } = true;

    /// <summary>The form field. Default <c>access_token</c>.</summary>
    public string FormName { get; set; } = TokenAuthDefaults.AccessTokenParameter;

    /// <summary>The largest form body read in search of a token; a larger body is not searched. Default 64 KiB.</summary>
    public int MaxFormBodyLength { get; set; } = TokenAuthDefaults.MaxFormBodyLength;
}
