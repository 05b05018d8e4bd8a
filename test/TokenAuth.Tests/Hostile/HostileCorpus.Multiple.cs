namespace TokenAuth.Tests.Hostile;

internal static partial class HostileCorpus
{
    /// <summary>
    /// More than one token (RFC 6750 §2: one method per request; §3.1: more than one is <c>invalid_request</c>): every
    /// pair of the five sources with two different valid tokens, the same pairs with one token sent twice (accepted, as
    /// the README says), one source twice, and query keys that differ only in case (ASP.NET Core reads them as one key).
    /// </summary>
    private static IEnumerable<HostileRow> Multiple()
    {
        static HostileRow Row(string name, Func<HostileContext, HttpRequestMessage> request, Expect expect) => new("multiple", name, request, expect);

        var sources = new[] { "Authorization", "Access-Token", "access_token header", "query", "form" };
        for (var i = 0; i < sources.Length; i++)
        {
            for (var j = i + 1; j < sources.Length; j++)
            {
                var (first, second) = (sources[i], sources[j]);
                yield return Row($"{first} + {second}, two different tokens", c => Send(Send(Post("/api/me"), first, c["demo"]), second, c["demo2"]), Expect.InvalidRequest("more than one access token"));
                yield return Row($"{first} + {second}, the same token", c => Send(Send(Post("/api/me"), first, c["demo"]), second, c["demo"]), Expect.Me("demo-client"));
            }
        }

        yield return Row("two Authorization headers, different tokens", c => Get("/api/me").Bearer(c["demo"]).Bearer(c["demo2"]), Expect.InvalidRequest("more than one access token"));
        yield return Row("two Authorization headers, the same token", c => Get("/api/me").Bearer(c["demo"]).Bearer(c["demo"]), Expect.Me("demo-client"));
        yield return Row("Access-Token twice, different tokens", c => Get("/api/me").Header("Access-Token", c["demo"]).Header("Access-Token", c["demo2"]), Expect.InvalidRequest());
        yield return Row("Access-Token and ACCESS-TOKEN, different tokens", c => Get("/api/me").Header("Access-Token", c["demo"]).Header("ACCESS-TOKEN", c["demo2"]), Expect.InvalidRequest());
        yield return Row("?access_token twice, different tokens", c => Get($"/api/me?access_token={c["demo"]}&access_token={c["demo2"]}"), Expect.InvalidRequest());
        yield return Row("?access_token twice, the same token", c => Get($"/api/me?access_token={c["demo"]}&access_token={c["demo"]}"), Expect.Me("demo-client", "query"));
        yield return Row("?access_token and ?ACCESS_TOKEN, different tokens", c => Get($"/api/me?access_token={c["demo"]}&ACCESS_TOKEN={c["demo2"]}"), Expect.InvalidRequest());
        yield return Row("?access_token and ?Access_Token, the same token", c => Get($"/api/me?access_token={c["demo"]}&Access_Token={c["demo"]}"), Expect.Me("demo-client", "query"));
        yield return Row("?ACCESS_TOKEN alone (the key is case-insensitive)", c => Get($"/api/me?ACCESS_TOKEN={c["demo"]}"), Expect.Me("demo-client", "query"));
        yield return Row("form access_token twice, different tokens", c => Post("/api/me").Form(("access_token", c["demo"]), ("access_token", c["demo2"])), Expect.InvalidRequest());
        yield return Row("form access_token and ACCESS_TOKEN, different tokens", c => Post("/api/me").Form(("access_token", c["demo"]), ("ACCESS_TOKEN", c["demo2"])), Expect.InvalidRequest());
        yield return Row("a valid token in the header and noise in the query", c => Get($"/api/me?access_token={Base64Url(32)}").Bearer(c["demo"]), Expect.InvalidRequest());
        yield return Row("a valid token in the header and an empty one in the query", c => Get("/api/me?access_token=").Bearer(c["demo"]), Expect.InvalidRequest());
        yield return Row("an unknown token in the header and a valid one in the query", c => Get($"/api/me?access_token={c["demo"]}").Bearer(Base64Url(32)), Expect.InvalidRequest());
        yield return Row("the same token with surrounding spaces in the header and bare in the query", c => Get($"/api/me?access_token={c["demo"]}").Header("Authorization", $"Bearer  {c["demo"]}  "), Expect.Me("demo-client"));
        yield return Row("HTTP Basic beside an Access-Token header (Basic is no token source)", c => Get("/api/me").Basic("demo-client", "demo-secret").Header("Access-Token", c["demo"]), Expect.Me("demo-client", "header"));
    }

    /// <summary>Adds <paramref name="token"/> to the request in <paramref name="source"/>.</summary>
    private static HttpRequestMessage Send(HttpRequestMessage request, string source, string token)
    {
        switch (source)
        {
            case "Authorization":
                return request.Bearer(token);
            case "Access-Token":
                return request.Header("Access-Token", token);
            case "access_token header":
                return request.Header("access_token", token);
            case "query":
                request.RequestUri = new Uri(request.RequestUri!.OriginalString + (request.RequestUri.OriginalString.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "access_token=" + token, UriKind.Relative);
                return request;
            default:
                return request.Form(("access_token", token));
        }
    }
}
