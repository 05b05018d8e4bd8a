using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace TokenAuth.Server;

/// <summary>
/// One request to a token-server endpoint, read according to its profile: the parameters under their canonical
/// names (<see cref="OAuthParameters"/>), whichever of query, form or JSON they came from.
/// </summary>
internal sealed class ProtocolRequest(HttpContext context, ServerEndpoint endpoint, IReadOnlyDictionary<string, string> parameters)
{
    public HttpContext Context { get; } = context;

    public ServerEndpoint Endpoint { get; } = endpoint;

    public TokenServerProfile Profile => Endpoint.Profile;

    /// <summary>When the request arrived (a <see cref="Stopwatch"/> timestamp), for the minimum duration of failed authentications.</summary>
    public long StartedAt { get; } = Stopwatch.GetTimestamp();

    public IReadOnlyDictionary<string, string> Parameters { get; } = parameters;

    public CancellationToken Aborted => Context.RequestAborted;

    /// <summary>A parameter by canonical name, or <see langword="null"/> when absent (empty values count as absent, RFC 6749 §3.1).</summary>
    public string? this[string canonical] => Parameters.GetValueOrDefault(canonical);

    /// <summary>The <c>invalid_request</c> of a missing parameter, named as this profile's clients send it.</summary>
    public OAuthError Missing(string canonical) => OAuthError.InvalidRequest($"The parameter '{Wire(canonical)}' is required.");

    /// <summary>The parameter's name as this profile's clients send it, for error messages.</summary>
    public string Wire(string canonical) => Profile.WireName(canonical);
}
