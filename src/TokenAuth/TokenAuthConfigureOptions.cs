using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace TokenAuth;

/// <summary>
/// Binds <c>Authentication:Schemes:{scheme}</c> onto the options, as JwtBearer does. Each key is read
/// explicitly so that lists replace their defaults instead of being appended to.
/// </summary>
internal sealed class TokenAuthConfigureOptions(IAuthenticationConfigurationProvider configurationProvider) : IConfigureNamedOptions<TokenAuthOptions>
{
    public void Configure(TokenAuthOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, TokenAuthOptions options)
    {
        if (string.IsNullOrEmpty(name))
        {
            return;
        }

        var section = configurationProvider.GetSchemeConfiguration(name);
        if (!section.GetChildren().Any())
        {
            return;
        }

        options.UseTokenStore = section.GetValue(nameof(options.UseTokenStore), options.UseTokenStore);
        options.MaxTokenLength = section.GetValue(nameof(options.MaxTokenLength), options.MaxTokenLength);
        options.IncludeErrorDetails = section.GetValue(nameof(options.IncludeErrorDetails), options.IncludeErrorDetails);
        options.SaveToken = section.GetValue(nameof(options.SaveToken), options.SaveToken);
        options.Realm = section[nameof(options.Realm)] ?? options.Realm;
        options.RetryAfter = section.GetValue(nameof(options.RetryAfter), options.RetryAfter);
        options.WriteProblemDetails = section.GetValue(nameof(options.WriteProblemDetails), options.WriteProblemDetails);
        options.ClaimsIssuer = section[nameof(options.ClaimsIssuer)] ?? options.ClaimsIssuer;
        options.BackendTimeout = section.GetValue(nameof(options.BackendTimeout), options.BackendTimeout);
        options.StoreCacheDuration = section.GetValue(nameof(options.StoreCacheDuration), options.StoreCacheDuration);
        BindCircuitBreaker(section.GetSection(nameof(options.CircuitBreaker)), options.CircuitBreaker);

        BindSources(section.GetSection(nameof(options.Sources)), options.Sources);
        BindSudo(section.GetSection(nameof(options.Sudo)), options.Sudo);
        BindTenants(section.GetSection(nameof(options.Tenants)), options.Tenants);
        BindJwt(section.GetSection(nameof(options.Jwt)), options.Jwt);
        BindIntrospection(section.GetSection(nameof(options.Introspection)), options.Introspection);
    }

    private static void BindSources(IConfigurationSection section, TokenSourceOptions sources)
    {
        sources.Order = List(section, nameof(sources.Order))?.Select(s => Enum.TryParse<TokenSource>(s, ignoreCase: true, out var source) && Enum.IsDefined(source)
            ? source
            : throw new InvalidOperationException($"{nameof(TokenAuthOptions.Sources)}.{nameof(sources.Order)}: '{s}' is not a token source ({string.Join(", ", Enum.GetNames<TokenSource>())}).")).ToList() ?? sources.Order;
        sources.AuthorizationHeader = section.GetValue(nameof(sources.AuthorizationHeader), sources.AuthorizationHeader);
        sources.AuthorizationScheme = section[nameof(sources.AuthorizationScheme)] ?? sources.AuthorizationScheme;
        sources.Header = section.GetValue(nameof(sources.Header), sources.Header);
        sources.HeaderNames = List(section, nameof(sources.HeaderNames)) ?? sources.HeaderNames;
        sources.Query = section.GetValue(nameof(sources.Query), sources.Query);
        sources.QueryName = section[nameof(sources.QueryName)] ?? sources.QueryName;
        sources.Form = section.GetValue(nameof(sources.Form), sources.Form);
        sources.FormName = section[nameof(sources.FormName)] ?? sources.FormName;
        sources.MaxFormBodyLength = section.GetValue(nameof(sources.MaxFormBodyLength), sources.MaxFormBodyLength);
    }

    private static void BindSudo(IConfigurationSection section, SudoOptions sudo)
    {
        sudo.Enabled = section.GetValue(nameof(sudo.Enabled), sudo.Enabled);
        sudo.Scope = section[nameof(sudo.Scope)] ?? sudo.Scope;
        sudo.Query = section.GetValue(nameof(sudo.Query), sudo.Query);
        sudo.QueryName = section[nameof(sudo.QueryName)] ?? sudo.QueryName;
        sudo.Header = section.GetValue(nameof(sudo.Header), sudo.Header);
        sudo.HeaderName = section[nameof(sudo.HeaderName)] ?? sudo.HeaderName;
        sudo.AllowUsernameAlias = section.GetValue(nameof(sudo.AllowUsernameAlias), sudo.AllowUsernameAlias);
        sudo.MaxValueLength = section.GetValue(nameof(sudo.MaxValueLength), sudo.MaxValueLength);
        sudo.CacheDuration = section.GetValue(nameof(sudo.CacheDuration), sudo.CacheDuration);
    }

    private static void BindTenants(IConfigurationSection section, TenantOptions tenants)
    {
        tenants.Enabled = section.GetValue(nameof(tenants.Enabled), tenants.Enabled);
        tenants.IdQueryName = section[nameof(tenants.IdQueryName)] ?? tenants.IdQueryName;
        tenants.CodeQueryName = section[nameof(tenants.CodeQueryName)] ?? tenants.CodeQueryName;
        tenants.Headers = section.GetValue(nameof(tenants.Headers), tenants.Headers);
        tenants.IdHeaderName = section[nameof(tenants.IdHeaderName)] ?? tenants.IdHeaderName;
        tenants.CodeHeaderName = section[nameof(tenants.CodeHeaderName)] ?? tenants.CodeHeaderName;
        tenants.CacheDuration = section.GetValue(nameof(tenants.CacheDuration), tenants.CacheDuration);
    }

    private static void BindCircuitBreaker(IConfigurationSection section, CircuitBreakerOptions circuit)
    {
        circuit.Enabled = section.GetValue(nameof(circuit.Enabled), circuit.Enabled);
        circuit.FailureThreshold = section.GetValue(nameof(circuit.FailureThreshold), circuit.FailureThreshold);
        circuit.FailureWindow = section.GetValue(nameof(circuit.FailureWindow), circuit.FailureWindow);
        circuit.BreakDuration = section.GetValue(nameof(circuit.BreakDuration), circuit.BreakDuration);
    }

    private static void BindJwt(IConfigurationSection section, JwtValidationOptions jwt)
    {
        jwt.Authority = section[nameof(jwt.Authority)] ?? jwt.Authority;
        jwt.MetadataAddress = section[nameof(jwt.MetadataAddress)] ?? jwt.MetadataAddress;
        jwt.RequireHttpsMetadata = section.GetValue(nameof(jwt.RequireHttpsMetadata), jwt.RequireHttpsMetadata);
        jwt.KeyRefreshTimeout = section.GetValue(nameof(jwt.KeyRefreshTimeout), jwt.KeyRefreshTimeout);

        var parameters = jwt.TokenValidationParameters;
        parameters.ValidIssuers = List(section, "ValidIssuers") ?? parameters.ValidIssuers;
        parameters.ValidAudiences = List(section, "ValidAudiences") ?? parameters.ValidAudiences;
        parameters.ValidateIssuer = section.GetValue("ValidateIssuer", parameters.ValidateIssuer);
        parameters.ValidateAudience = section.GetValue("ValidateAudience", parameters.ValidateAudience);
        parameters.ClockSkew = section.GetValue("ClockSkew", parameters.ClockSkew);
        if (List(section, "SymmetricKeys") is { } keys)
        {
            // Keys are base64 in configuration: a secret typed as text is usually too short and too guessable.
            parameters.IssuerSigningKeys = [.. parameters.IssuerSigningKeys ?? [], .. keys.Select(SymmetricKey)];
        }

        var claims = section.GetSection(nameof(jwt.Claims));
        var mapping = jwt.Claims;
        mapping.Subject = List(claims, nameof(mapping.Subject)) ?? mapping.Subject;
        mapping.Name = List(claims, nameof(mapping.Name)) ?? mapping.Name;
        mapping.ClientId = List(claims, nameof(mapping.ClientId)) ?? mapping.ClientId;
        mapping.Scope = List(claims, nameof(mapping.Scope)) ?? mapping.Scope;
        mapping.Roles = List(claims, nameof(mapping.Roles)) ?? mapping.Roles;
        mapping.TenantId = List(claims, nameof(mapping.TenantId)) ?? mapping.TenantId;
        mapping.Expiration = claims[nameof(mapping.Expiration)] ?? mapping.Expiration;
        mapping.ExpirationUnit = claims.GetValue(nameof(mapping.ExpirationUnit), mapping.ExpirationUnit);
        jwt.CacheValidatedTokens = section.GetValue(nameof(jwt.CacheValidatedTokens), jwt.CacheValidatedTokens);
        jwt.CacheDuration = section.GetValue(nameof(jwt.CacheDuration), jwt.CacheDuration);
    }

    private static void BindIntrospection(IConfigurationSection section, IntrospectionOptions introspection)
    {
        // Empty values (the sample's placeholders, an unset environment variable) leave the default: no introspection.
        introspection.Authority = Text(section, nameof(introspection.Authority)) ?? introspection.Authority;
        introspection.Endpoint = Text(section, nameof(introspection.Endpoint)) ?? introspection.Endpoint;
        introspection.ClientId = Text(section, nameof(introspection.ClientId)) ?? introspection.ClientId;
        introspection.ClientSecret = Text(section, nameof(introspection.ClientSecret)) ?? introspection.ClientSecret;
        introspection.ClientAuthentication = section.GetValue(nameof(introspection.ClientAuthentication), introspection.ClientAuthentication);
        introspection.TokenTypeHint = section[nameof(introspection.TokenTypeHint)] ?? introspection.TokenTypeHint;
        if (Text(section, nameof(introspection.Protocol)) is { } protocol)
        {
            introspection.Protocol = IntrospectionProtocols.FromName(protocol)
                ?? throw new InvalidOperationException($"{nameof(TokenAuthOptions.Introspection)}.{nameof(introspection.Protocol)} must be Rfc7662 or TokenCheck; it is '{protocol}'.");
        }

        introspection.RequireHttps = section.GetValue(nameof(introspection.RequireHttps), introspection.RequireHttps);
        introspection.CacheDuration = section.GetValue(nameof(introspection.CacheDuration), introspection.CacheDuration);
        introspection.InactiveCacheDuration = section.GetValue(nameof(introspection.InactiveCacheDuration), introspection.InactiveCacheDuration);
        introspection.Timeout = section.GetValue(nameof(introspection.Timeout), introspection.Timeout);
        introspection.AttemptTimeout = section.GetValue(nameof(introspection.AttemptTimeout), introspection.AttemptTimeout);
        introspection.MaxRetryAttempts = section.GetValue(nameof(introspection.MaxRetryAttempts), introspection.MaxRetryAttempts);
        introspection.RetryDelay = section.GetValue(nameof(introspection.RetryDelay), introspection.RetryDelay);
        introspection.DiscoveryRefreshInterval = section.GetValue(nameof(introspection.DiscoveryRefreshInterval), introspection.DiscoveryRefreshInterval);

        var breakerSection = section.GetSection(nameof(introspection.CircuitBreaker));
        var breaker = introspection.CircuitBreaker;
        breaker.FailureRatio = breakerSection.GetValue(nameof(breaker.FailureRatio), breaker.FailureRatio);
        breaker.MinimumThroughput = breakerSection.GetValue(nameof(breaker.MinimumThroughput), breaker.MinimumThroughput);
        breaker.SamplingDuration = breakerSection.GetValue(nameof(breaker.SamplingDuration), breaker.SamplingDuration);
        breaker.BreakDuration = breakerSection.GetValue(nameof(breaker.BreakDuration), breaker.BreakDuration);
    }

    /// <summary>A key of <c>Jwt:SymmetricKeys</c>; the message names the option, never the key.</summary>
    private static SymmetricSecurityKey SymmetricKey(string base64)
    {
        try
        {
            return new SymmetricSecurityKey(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{nameof(TokenAuthOptions.Jwt)}.SymmetricKeys holds a key that is not base64.");
        }
    }

    /// <summary>A value that is set and not blank, else <see langword="null"/>.</summary>
    private static string? Text(IConfigurationSection section, string key) => section[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>A list given either as an array section or as one space/comma-separated string.</summary>
    private static List<string>? List(IConfigurationSection section, string key)
    {
        var child = section.GetSection(key);
        if (child.Value is { } single)
        {
            return [.. single.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        var items = child.GetChildren().Select(c => c.Value).OfType<string>().ToList();
        return items.Count > 0 ? items : null;
    }
}
