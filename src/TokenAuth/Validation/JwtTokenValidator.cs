using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth;

/// <summary>
/// Validates JWS tokens locally with <see cref="JsonWebTokenHandler"/>. Signature, issuer, audience and
/// algorithm are IdentityModel's job; lifetime is checked here against the injected clock so that
/// non-standard expiry claims (epoch milliseconds) follow the same rule and tests need no sleeps.
/// </summary>
internal sealed class JwtTokenValidator(JwtValidationOptions options, TimeProvider timeProvider, ILogger logger) : ITokenValidator
{
    private static readonly string[] SymmetricAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512];
    private static readonly string[] RsaAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
    ];
    private static readonly string[] EcAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512];

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public async ValueTask<TokenCheckResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration? fromManager = null;
        if (options.ConfigurationManager is { } manager)
        {
            var retrieved = await GetConfigurationAsync(manager, cancellationToken);
            if (retrieved.Failure is { } failure)
            {
                return failure;
            }

            fromManager = retrieved.Configuration;
        }

        var configuration = fromManager is null ? null : options.KeyRefresher?.Latest(fromManager) ?? fromManager;
        var result = await ValidateWithAsync(token, configuration);
        if (result.Exception is not SecurityTokenSignatureKeyNotFoundException || fromManager is null)
        {
            return result;
        }

        // An unknown key id usually means the issuer rotated its keys. A refresh that fails, times out or is throttled
        // leaves the keys as they were, and the token is refused as signed by an unknown key (401), not 503: the keys were
        // retrieved, an issuer publishes a key before signing with it, and a made-up key id must not pass for an outage.
        Log.SigningKeysRefreshing(logger);
        OpenIdConnectConfiguration refreshed;
        if (options.KeyRefresher is { } refresher)
        {
            refreshed = await refresher.RefreshAsync(fromManager, cancellationToken);
        }
        else
        {
            // A configuration manager of the host's own: ask it, and retry once with whatever it returns now.
            options.ConfigurationManager!.RequestRefresh();
            var again = await GetConfigurationAsync(options.ConfigurationManager, cancellationToken);
            refreshed = again.Configuration ?? configuration!;
        }

        return ReferenceEquals(refreshed, configuration) ? result : await ValidateWithAsync(token, refreshed);
    }

    /// <summary>The manager's configuration, waited for at most <see cref="JwtValidationOptions.KeyRefreshTimeout"/>.</summary>
    private async ValueTask<(OpenIdConnectConfiguration? Configuration, TokenCheckResult? Failure)> GetConfigurationAsync(
        IConfigurationManager<OpenIdConnectConfiguration> manager, CancellationToken cancellationToken)
    {
        Task<OpenIdConnectConfiguration>? pending = null;
        try
        {
            pending = manager.GetConfigurationAsync(cancellationToken);
            return (await pending.WaitAsync(options.KeyRefreshTimeout, timeProvider, cancellationToken), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Observe(pending);
            throw;
        }
        catch (TimeoutException) when (pending is { IsCompleted: false })
        {
            // Only the first retrieval can take this long (later calls answer from the manager's cache): no keys yet, 503.
            Observe(pending);
            Log.BackendTimedOut(logger, "authority", options.KeyRefreshTimeout);
            return (null, TokenCheckResult.Unavailable("The token issuer's signing keys could not be retrieved in time."));
        }
        catch (Exception ex)
        {
            Log.ConfigurationUnavailable(logger, ex);
            return (null, TokenCheckResult.Unavailable("The token issuer's signing keys could not be retrieved.", ex));
        }
    }

    /// <summary>Observes the outcome of a retrieval this request stopped waiting for (no UnobservedTaskException).</summary>
    private static void Observe(Task? task)
        => task?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private async ValueTask<TokenCheckResult> ValidateWithAsync(string token, OpenIdConnectConfiguration? configuration)
    {
        var prepared = Prepare(configuration);
        var result = await _handler.ValidateTokenAsync(token, prepared.Parameters);
        if (!result.IsValid)
        {
            return TokenCheckResult.Invalid(Describe(result.Exception), result.Exception);
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        if (jwt.TryGetHeaderValue<object>("crit", out _))
        {
            // RFC 7515 §4.1.11: a recipient must refuse a JWS whose "crit" names an extension it does not understand.
            // IdentityModel ignores the header; TokenAuth understands no extension, so any "crit" is refused.
            return TokenCheckResult.Invalid("The token's header lists critical extensions ('crit') that are not understood.");
        }

        return ToTokenInfo(jwt, prepared.Parameters.ClockSkew, prepared.RequireExpiration);
    }

    /// <summary>
    /// The parameters IdentityModel validates with, made once per configuration (the options' parameters with lifetime
    /// checks off — done here on the injected clock —, the authority's issuer and keys, the algorithms the keys allow),
    /// not cloned and rebuilt on every request. IdentityModel does not change them. The options' parameters are read at
    /// the first validation: change them before the host starts, not while it serves.
    /// </summary>
    private Prepared Prepare(OpenIdConnectConfiguration? configuration)
    {
        var current = Volatile.Read(ref _prepared);
        if (current is not null && ReferenceEquals(current.Configuration, configuration) && ReferenceEquals(current.Source, options.TokenValidationParameters))
        {
            return current;
        }

        var parameters = options.TokenValidationParameters.Clone();
        var requireExpiration = parameters.RequireExpirationTime;
        parameters.ValidateLifetime = false;
        parameters.RequireExpirationTime = false;
        if (configuration is not null)
        {
            if (configuration.Issuer is { Length: > 0 } issuer)
            {
                parameters.ValidIssuers = [.. parameters.ValidIssuers ?? [], issuer];
            }

            parameters.IssuerSigningKeys = [.. parameters.IssuerSigningKeys ?? [], .. configuration.SigningKeys];
        }

        if (parameters.ValidAlgorithms is null || !parameters.ValidAlgorithms.Any())
        {
            parameters.ValidAlgorithms = AlgorithmsFor(parameters);
        }

        var prepared = new Prepared(options.TokenValidationParameters, configuration, parameters, requireExpiration);
        Volatile.Write(ref _prepared, prepared);
        return prepared;
    }

    private sealed record Prepared(TokenValidationParameters Source, OpenIdConnectConfiguration? Configuration, TokenValidationParameters Parameters, bool RequireExpiration);

    private Prepared? _prepared;

    private TokenCheckResult ToTokenInfo(JsonWebToken jwt, TimeSpan clockSkew, bool requireExpiration)
    {
        var mapping = options.Claims;
        var claims = jwt.Claims as IList<Claim> ?? [.. jwt.Claims];
        var plan = _plan ??= ClaimPlan.For(mapping);

        // One pass finds, for each field, the claim of the first type its mapping lists that the token has; a second
        // collects every other claim. No LINQ, no closure per type: this runs on every request.
        var fields = new ClaimPlan.Found();
        for (var i = 0; i < claims.Count; i++)
        {
            plan.Offer(ref fields, claims[i]);
        }

        if (QuotedDate(jwt) is { } quoted)
        {
            return TokenCheckResult.Invalid($"The token's '{quoted}' is a string; a date must be a JSON number (RFC 7519, section 2).");
        }

        var expiresAt = ReadDate(fields.Expiration, mapping.ExpirationUnit);
        var notBefore = ReadDate(fields.NotBefore, EpochUnit.Seconds);
        var issuedAt = ReadDate(fields.IssuedAt, EpochUnit.Seconds);
        var now = timeProvider.GetUtcNow();
        if (expiresAt is null && requireExpiration)
        {
            return TokenCheckResult.Invalid($"The token has no expiry ('{mapping.Expiration}').");
        }

        if (expiresAt is { } exp && Shift(exp, clockSkew) <= now)
        {
            return TokenCheckResult.Invalid(Messages.Expired(exp));
        }

        if (notBefore is { } nbf && Shift(nbf, -clockSkew) > now)
        {
            return TokenCheckResult.Invalid(Messages.NotYetValid(nbf));
        }

        var extra = new List<TokenClaim>(claims.Count);
        for (var i = 0; i < claims.Count; i++)
        {
            var claim = claims[i];
            if (!fields.Uses(claim.Type, plan))
            {
                extra.Add(new TokenClaim(claim.Type, claim.Value));
            }
        }

        var info = new TokenInfo
        {
            Subject = fields.Values[ClaimPlan.Subject],
            Name = fields.Values[ClaimPlan.Name],
            ClientId = fields.Values[ClaimPlan.ClientId],
            TenantId = fields.Values[ClaimPlan.TenantId],
            Scopes = Scopes(fields.Scopes),
            Roles = fields.Roles is null ? [] : fields.Roles,
            IssuedAt = issuedAt,
            NotBefore = notBefore,
            ExpiresAt = expiresAt is { } e ? Shift(e, clockSkew) : null,
            Claims = extra,
        };
        return TokenCheckResult.Valid(info);
    }

    private ClaimPlan? _plan;

    /// <summary>Scope values as one entry each: space-separated values split, duplicates dropped, order kept.</summary>
    private static List<string> Scopes(List<string>? values)
    {
        if (values is null)
        {
            return [];
        }

        var scopes = new List<string>(values.Count + 2);
        foreach (var value in values)
        {
            if (!value.Contains(' ', StringComparison.Ordinal) && value.Length > 0 && value.Trim().Length == value.Length)
            {
                AddDistinct(scopes, value);
                continue;
            }

            foreach (var scope in value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                AddDistinct(scopes, scope);
            }
        }

        return scopes;
    }

    private static void AddDistinct(List<string> values, string value)
    {
        if (!values.Contains(value, StringComparer.Ordinal))
        {
            values.Add(value);
        }
    }

    /// <summary><paramref name="value"/> plus <paramref name="offset"/>, saturating at the ends of the calendar rather than throwing.</summary>
    private static DateTimeOffset Shift(DateTimeOffset value, TimeSpan offset)
    {
        // A far-future date (clamped by ReadDate) plus the clock skew must stay "far future", not become an exception (a 503).
        if (offset.Ticks > 0 && offset.Ticks > DateTimeOffset.MaxValue.UtcTicks - value.UtcTicks)
        {
            return DateTimeOffset.MaxValue;
        }

        if (offset.Ticks < 0 && offset.Ticks < DateTimeOffset.MinValue.UtcTicks - value.UtcTicks)
        {
            return DateTimeOffset.MinValue;
        }

        return value + offset;
    }

    /// <summary>
    /// The name of an <c>exp</c>, <c>nbf</c> or <c>iat</c> member that is a JSON string: RFC 7519 §2 makes a NumericDate a
    /// JSON number, and IdentityModel reads <c>"exp":"1780000000"</c> as if it were one. The payload is scanned once more,
    /// without allocating (a stack buffer, a forward-only reader that skips every other value).
    /// </summary>
    private static string? QuotedDate(JsonWebToken jwt)
    {
        // The payload's characters in the token itself (EncodedPayload would copy them into a new string).
        var token = jwt.EncodedToken.AsSpan();
        var start = token.IndexOf('.') + 1;
        var length = start == 0 ? -1 : token[start..].IndexOf('.');
        if (length < 0)
        {
            return null;
        }

        var encoded = token.Slice(start, length);
        var max = System.Buffers.Text.Base64Url.GetMaxDecodedLength(encoded.Length);
        var rented = max <= 2048 ? null : System.Buffers.ArrayPool<byte>.Shared.Rent(max);
        try
        {
            Span<byte> buffer = rented ?? stackalloc byte[max];
            if (System.Buffers.Text.Base64Url.DecodeFromChars(encoded, buffer, out _, out var written) != System.Buffers.OperationStatus.Done)
            {
                return null;   // IdentityModel read it; what it could not is not this check's to judge
            }

            var reader = new System.Text.Json.Utf8JsonReader(buffer[..written]);
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                var name = reader.ValueTextEquals("exp"u8) ? "exp" : reader.ValueTextEquals("nbf"u8) ? "nbf" : reader.ValueTextEquals("iat"u8) ? "iat" : null;
                reader.Read();
                if (name is not null && reader.TokenType == System.Text.Json.JsonTokenType.String)
                {
                    return name;
                }

                reader.Skip();
            }

            return null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static DateTimeOffset? ReadDate(string? value, EpochUnit unit)
    {
        if (value is null || !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        var seconds = unit == EpochUnit.Milliseconds ? number / 1000d : number;
        // Clamp: a hostile 1e300 must not throw; it simply means "far future".
        seconds = Math.Clamp(seconds, 0, DateTimeOffset.MaxValue.ToUnixTimeSeconds() - 1);
        return DateTimeOffset.UnixEpoch.AddSeconds(Math.Floor(seconds));
    }

    private static string[]? AlgorithmsFor(TokenValidationParameters parameters)
    {
        IEnumerable<SecurityKey> keys = parameters.IssuerSigningKeys ?? [];
        if (parameters.IssuerSigningKey is not null)
        {
            keys = keys.Append(parameters.IssuerSigningKey);
        }

        var algorithms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (key is JsonWebKey { Alg.Length: > 0 } jwk)
            {
                algorithms.Add(jwk.Alg);
                continue;
            }

            algorithms.UnionWith(key switch
            {
                SymmetricSecurityKey => SymmetricAlgorithms,
                RsaSecurityKey or X509SecurityKey => RsaAlgorithms,
                ECDsaSecurityKey => EcAlgorithms,
                JsonWebKey { Kty: JsonWebAlgorithmsKeyTypes.RSA } => RsaAlgorithms,
                JsonWebKey { Kty: JsonWebAlgorithmsKeyTypes.EllipticCurve } => EcAlgorithms,
                JsonWebKey { Kty: JsonWebAlgorithmsKeyTypes.Octet } => SymmetricAlgorithms,
                _ => [],
            });
        }

        // Keys from a resolver are unknown here; leave the choice to IdentityModel, which still refuses "none".
        return algorithms.Count == 0 ? null : [.. algorithms];
    }

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenSignatureKeyNotFoundException => "The token's signing key is not known.",
        SecurityTokenInvalidAlgorithmException => "The token's signing algorithm is not accepted.",
        SecurityTokenInvalidSignatureException => "The token's signature is invalid.",
        SecurityTokenInvalidIssuerException => "The token's issuer is not accepted.",
        SecurityTokenInvalidAudienceException => "The token's audience is not accepted.",
        SecurityTokenInvalidTypeException => "The token's type is not accepted.",
        SecurityTokenMalformedException or ArgumentException => "The token is malformed.",
        _ => "The token is invalid.",
    };
}
