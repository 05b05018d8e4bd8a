using System.Text;
using Microsoft.AspNetCore.Http;

namespace TokenAuth.Tests.Extraction;

public class TokenExtractorTests
{
    private static DefaultHttpContext Request(string method = "GET", string? query = null, string? contentType = null, string? body = null, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        if (query is not null)
        {
            context.Request.QueryString = new QueryString(query);
        }

        foreach (var (name, value) in headers)
        {
            context.Request.Headers.Append(name, value);
        }

        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.Body = new MemoryStream(bytes);
            context.Request.ContentLength = bytes.Length;
            context.Request.ContentType = contentType;
        }

        return context;
    }

    private static ValueTask<ExtractionResult> Extract(HttpContext context, TokenSourceOptions? options = null)
        => TokenExtractor.ExtractAsync(context, options ?? new TokenSourceOptions(), CancellationToken.None);

    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer abc", "abc")]
    [InlineData("BEARER abc", "abc")]
    [InlineData("Bearer    abc  ", "abc")]
    [InlineData("Bearer", "")]
    public async Task Authorization_BearerAnyCase_ReturnsToken(string header, string expected)
    {
        var result = await Extract(Request(headers: ("Authorization", header)));

        Assert.Null(result.Error);
        Assert.Equal(expected, result.Token);
        Assert.Equal(TokenSource.AuthorizationHeader, result.Source);
    }

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearerabc")]
    [InlineData("Digest username=x")]
    public async Task Authorization_OtherScheme_IsNotOurs(string header)
    {
        var result = await Extract(Request(headers: ("Authorization", header)));

        Assert.Null(result.Token);
        Assert.Null(result.Error);
    }

    [Theory]
    [InlineData("Access-Token")]
    [InlineData("access-token")]
    [InlineData("access_token")]
    public async Task Header_AccessTokenHeaders_ReturnToken(string name)
    {
        var result = await Extract(Request(headers: (name, "tok")));

        Assert.Equal("tok", result.Token);
        Assert.Equal(TokenSource.Header, result.Source);
    }

    [Fact]
    public async Task Query_AccessToken_ReturnsToken()
    {
        var result = await Extract(Request(query: "?access_token=tok&x=1"));

        Assert.Equal("tok", result.Token);
        Assert.Equal(TokenSource.Query, result.Source);
    }

    [Fact]
    public async Task Form_UrlEncodedPost_ReturnsTokenAndLeavesBodyReadable()
    {
        var context = Request("POST", contentType: "application/x-www-form-urlencoded; charset=utf-8", body: "a=1&access_token=tok%2B1&b=2");

        var result = await Extract(context);

        Assert.Equal("tok+1", result.Token);
        Assert.Equal(TokenSource.Form, result.Source);
        using var reader = new StreamReader(context.Request.Body);
        Assert.Equal("a=1&access_token=tok%2B1&b=2", await reader.ReadToEndAsync());
    }

    [Theory]
    [InlineData("GET", "application/x-www-form-urlencoded")]
    [InlineData("POST", "multipart/form-data; boundary=x")]
    [InlineData("POST", "application/json")]
    [InlineData("POST", "text/plain")]
    public async Task Form_NotUrlEncodedPostBody_IsNotRead(string method, string contentType)
    {
        var context = Request(method, contentType: contentType, body: "access_token=tok");

        var result = await Extract(context);

        Assert.Null(result.Token);
        Assert.Equal(0, context.Request.Body.Position);
    }

    [Fact]
    public async Task Form_BodyOverBound_IsNotSearched()
    {
        var body = "access_token=tok&pad=" + new string('x', 200);
        var options = new TokenSourceOptions { MaxFormBodyLength = 100 };

        var result = await Extract(Request("POST", contentType: "application/x-www-form-urlencoded", body: body), options);

        Assert.Null(result.Token);
    }

    [Fact]
    public async Task Form_ChunkedBodyOverBound_IsNotSearched()
    {
        var context = Request("POST", contentType: "application/x-www-form-urlencoded", body: "access_token=tok&pad=" + new string('x', 200));
        context.Request.ContentLength = null;

        var result = await Extract(context, new TokenSourceOptions { MaxFormBodyLength = 100 });

        Assert.Null(result.Token);
    }

    [Fact]
    public async Task NoSource_ReturnsNothing()
    {
        var result = await Extract(Request(query: "?other=1", headers: ("X-Other", "v")));

        Assert.Null(result.Token);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task SameTokenInTwoSources_IsAccepted()
    {
        var result = await Extract(Request(query: "?access_token=tok", headers: ("Authorization", "Bearer tok")));

        Assert.Null(result.Error);
        Assert.Equal("tok", result.Token);
        Assert.Equal(TokenSource.AuthorizationHeader, result.Source);
    }

    [Theory]
    [InlineData("?access_token=a", "Authorization", "Bearer b")]
    [InlineData("?access_token=a&access_token=b", null, null)]
    [InlineData(null, "Access-Token", "b")]
    public async Task DifferentTokens_AreAConflict(string? query, string? header, string? value)
    {
        var context = Request(query: query, headers: header is null ? [] : [(header, value!)]);
        if (query is null)
        {
            context.Request.Headers.Append("access_token", "a");
        }

        var result = await Extract(context);

        Assert.Null(result.Token);
        Assert.Equal(TokenExtractor.ConflictMessage, result.Error);
    }

    [Fact]
    public async Task FormAndHeaderDiffer_IsAConflict()
    {
        var context = Request("POST", contentType: "application/x-www-form-urlencoded", body: "access_token=a", headers: ("Authorization", "Bearer b"));

        var result = await Extract(context);

        Assert.Equal(TokenExtractor.ConflictMessage, result.Error);
    }

    [Theory]
    [InlineData("&&&access_token=tok&", "tok")]
    [InlineData("a=1&&access_token=tok", "tok")]
    [InlineData("access_token", "")]
    public async Task Form_ParsedAsAspNetCoreParsesIt_EmptyPairsSkipped_NameWithoutValueIsEmpty(string body, string token)
    {
        // FormPipeReader's reading, the one Request.ReadFormAsync gives the endpoint (WHATWG URL: split on '&', skip empty).
        var context = Request("POST", contentType: "application/x-www-form-urlencoded", body: body);

        var result = await Extract(context);

        Assert.Equal(token, result.Token);
        Assert.Equal(TokenSource.Form, result.Source);
    }

    [Fact]
    public async Task FormTokenBehindDoubleAmpersandAndHeaderDiffer_IsAConflict()
    {
        var context = Request("POST", contentType: "application/x-www-form-urlencoded", body: "x=1&&access_token=a", headers: ("Authorization", "Bearer b"));

        var result = await Extract(context);

        Assert.Equal(TokenExtractor.ConflictMessage, result.Error);
    }

    [Fact]
    public async Task DisabledSources_AreNotRead()
    {
        var options = new TokenSourceOptions { AuthorizationHeader = false, Header = false, Query = false, Form = false };
        var context = Request("POST", "?access_token=q", "application/x-www-form-urlencoded", "access_token=f", ("Authorization", "Bearer a"), ("Access-Token", "h"));

        var result = await Extract(context, options);

        Assert.Null(result.Token);
        Assert.Null(result.Error);
    }

    [Fact]
    public async Task RenamedSources_ReadTheNewNamesOnly()
    {
        var options = new TokenSourceOptions { AuthorizationScheme = "Token", HeaderNames = ["X-Api-Token"], QueryName = "token", FormName = "tkn" };

        Assert.Equal("a", (await Extract(Request(headers: ("Authorization", "token a")), options)).Token);
        Assert.Null((await Extract(Request(headers: ("Authorization", "Bearer a")), options)).Token);
        Assert.Equal("h", (await Extract(Request(headers: ("X-Api-Token", "h")), options)).Token);
        Assert.Null((await Extract(Request(headers: ("Access-Token", "h")), options)).Token);
        Assert.Equal("q", (await Extract(Request(query: "?token=q"), options)).Token);
        Assert.Null((await Extract(Request(query: "?access_token=q"), options)).Token);
        Assert.Equal("f", (await Extract(Request("POST", contentType: "application/x-www-form-urlencoded", body: "tkn=f"), options)).Token);
    }

    [Fact]
    public async Task Order_DecidesWhichSourceIsReported()
    {
        var options = new TokenSourceOptions { Order = [TokenSource.Query, TokenSource.AuthorizationHeader] };
        var context = Request(query: "?access_token=t", headers: ("Authorization", "Bearer t"));

        var result = await Extract(context, options);

        Assert.Equal(TokenSource.Query, result.Source);
    }

    [Fact]
    public async Task Order_SourceNotListed_IsStillRead_AfterTheListedOnes_OnlyItsFlagSwitchesItOff()
    {
        var options = new TokenSourceOptions { Order = [TokenSource.Form, TokenSource.AuthorizationHeader] };

        var unlisted = await Extract(Request(query: "?access_token=t"), options);
        Assert.Equal(("t", TokenSource.Query), (unlisted.Token, unlisted.Source));
        Assert.Equal([TokenSource.Form, TokenSource.AuthorizationHeader, TokenSource.Header, TokenSource.Query], options.ReadOrder);

        options.Query = false;
        Assert.Null((await Extract(Request(query: "?access_token=t"), options)).Token);
        Assert.Equal([TokenSource.Form, TokenSource.AuthorizationHeader, TokenSource.Header], options.ReadOrder);
    }

    [Fact]
    public async Task Order_Empty_IsTheDefaultOrder_AndRepeatsAreReadOnce()
    {
        Assert.Equal(TokenSourceOptions.Readable, new TokenSourceOptions { Order = [] }.ReadOrder);
        var repeated = new TokenSourceOptions { Order = [TokenSource.Query, TokenSource.Query, TokenSource.Header] };
        Assert.Equal([TokenSource.Query, TokenSource.Header, TokenSource.AuthorizationHeader, TokenSource.Form], repeated.ReadOrder);

        var result = await Extract(Request(query: "?access_token=t", headers: ("Access-Token", "t")), repeated);
        Assert.Equal(("t", TokenSource.Query), (result.Token, result.Source));
    }
}
