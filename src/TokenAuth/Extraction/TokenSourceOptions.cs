namespace TokenAuth;

/// <summary>
/// Where tokens are looked for, in which order. Every source can be switched off and renamed.
/// RFC 6750 §2 allows one token per request: two different tokens across the enabled sources are a 400.
/// </summary>
public sealed class TokenSourceOptions
{
    private IList<TokenSource> _order = [TokenSource.AuthorizationHeader, TokenSource.Header, TokenSource.Query, TokenSource.Form];
    private (IList<TokenSource> From, int Count, TokenSource[] Distinct)? _distinctOrder;

    /// <summary>The order in which sources are read; the first token found is used. Sources not listed are not read.</summary>
    public IList<TokenSource> Order
    {
        get => _order;
        set => _order = value;
    }

    /// <summary>
    /// <see cref="Order"/> without repeats, computed once rather than on every request (again only when the list is replaced
    /// or its length changes: options are configured before the host starts, not while it serves).
    /// </summary>
    internal TokenSource[] DistinctOrder
    {
        get
        {
            if (_distinctOrder is { } cached && ReferenceEquals(cached.From, _order) && cached.Count == _order.Count)
            {
                return cached.Distinct;
            }

            var distinct = _order.Distinct().ToArray();
            _distinctOrder = (_order, _order.Count, distinct);
            return distinct;
        }
    }

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
