using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using TokenAuth.Tests.Infrastructure;
using static TokenAuth.Tests.Jwt.JwtTestKeys;

namespace TokenAuth.Tests.Jwt;

/// <summary>
/// <see cref="JwtTokenValidator"/> on its own (no pipeline), where the exact <see cref="TokenInfo"/>, failure text and
/// log events are the point: which claim fills a field when several types are listed, scope values with odd spacing,
/// the options' issuers and keys beside an authority's, the algorithm allow-list a key implies, dates at the ends of the
/// calendar, and a host's own configuration manager that is slow, fails, is cancelled or rotates its keys.
/// </summary>
public sealed class JwtTokenValidatorTests
{
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(32);
    private const string Hs256Header = """{"alg":"HS256","typ":"JWT"}""";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-06-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly LogSink _logs = new();

    private JwtTokenValidator Validator(JwtValidationOptions options) => new(options, _time, _logs.CreateLogger("test"));

    private JwtTokenValidator HmacValidator(Action<TokenValidationParameters>? parameters = null, JwtClaimMapping? claims = null)
    {
        var tvp = new TokenValidationParameters { ValidIssuer = Issuer, ValidAudience = Audience, IssuerSigningKey = new SymmetricSecurityKey(Secret) };
        parameters?.Invoke(tvp);
        return Validator(new JwtValidationOptions { TokenValidationParameters = tvp, Claims = claims ?? new JwtClaimMapping() });
    }

    /// <summary>An HS256 token whose payload members come in exactly this order, after iss, aud and exp (unless given).</summary>
    private string Token(params (string Name, object Value)[] members)
    {
        var payload = new Dictionary<string, object> { ["iss"] = Issuer, ["aud"] = Audience };
        foreach (var (name, value) in members)
        {
            payload[name] = value;
        }

        payload.TryAdd("exp", _time.GetUtcNow().AddHours(1).ToUnixTimeSeconds());
        return SignHs256(Hs256Header, payload, Secret);
    }

    private static TokenInfo Valid(TokenCheckResult result)
    {
        Assert.True(result.Status == TokenCheckStatus.Valid, $"{result.Status}: {result.Failure}");
        return result.Info!;
    }

    // ---- Claim mapping: the first listed type wins, whatever the order in the token ----------------------------------

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Name_BothListedTypesPresent_TheOneListedFirstWins_InEitherOrder(bool nameFirst)
    {
        (string, object)[] members = nameFirst
            ? [("sub", "u1"), ("name", "Ada"), ("preferred_username", "ada")]
            : [("sub", "u1"), ("preferred_username", "ada"), ("name", "Ada")];

        var info = Valid(await HmacValidator().ValidateAsync(Token(members), default));

        Assert.Equal("Ada", info.Name);
        // Only the type that filled the field is used; the other listed type stays an extra claim, and so does nothing else.
        Assert.Contains(new TokenClaim("preferred_username", "ada"), info.Claims);
        Assert.DoesNotContain(info.Claims, c => c.Type is "name" or "sub" or "exp");
    }

    [Fact]
    public async Task Subject_SecondListedTypeBeforeTheFirst_FirstListedWins()
    {
        var mapping = new JwtClaimMapping { Subject = ["sub", "user_id"] };

        var info = Valid(await HmacValidator(claims: mapping).ValidateAsync(Token(("user_id", "legacy-7"), ("sub", "u1")), default));

        Assert.Equal("u1", info.Subject);
        Assert.Contains(new TokenClaim("user_id", "legacy-7"), info.Claims);
    }

    [Fact]
    public async Task IssuedAtAndNotBefore_Mapped_AndNotRepeatedAsExtraClaims()
    {
        var iat = _time.GetUtcNow().AddMinutes(-5);
        var nbf = _time.GetUtcNow().AddMinutes(-1);

        var info = Valid(await HmacValidator().ValidateAsync(Token(("sub", "u1"), ("iat", iat.ToUnixTimeSeconds()), ("nbf", nbf.ToUnixTimeSeconds()), ("team", "blue")), default));

        Assert.Equal(iat.ToUnixTimeSeconds(), info.IssuedAt?.ToUnixTimeSeconds());
        Assert.Equal(nbf.ToUnixTimeSeconds(), info.NotBefore?.ToUnixTimeSeconds());
        Assert.Equal([new TokenClaim("iss", Issuer), new TokenClaim("aud", Audience), new TokenClaim("team", "blue")], info.Claims);
    }

    // ---- Scopes ------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("read  write", new[] { "read", "write" })]       // two spaces: no empty scope between them
    [InlineData(" read write ", new[] { "read", "write" })]
    [InlineData("\tread", new[] { "read" })]                    // other whitespace around a single value is trimmed too
    [InlineData("read\t", new[] { "read" })]
    [InlineData("", new string[0])]                               // an empty value is no scope
    [InlineData("read read", new[] { "read" })]
    public async Task Scope_OddSpacing_OneEntryPerValue_NoEmptyOnes(string scope, string[] expected)
    {
        var info = Valid(await HmacValidator().ValidateAsync(Token(("sub", "u1"), ("scope", scope)), default));

        Assert.Equal(expected, info.Scopes);
    }

    [Fact]
    public async Task Scp_ArrayWithEmptyAndPaddedValues_OneEntryPerValue()
    {
        var info = Valid(await HmacValidator().ValidateAsync(Token(("sub", "u1"), ("scp", new[] { "", "\tread", "write", "read" })), default));

        Assert.Equal(["read", "write"], info.Scopes);
    }

    // ---- Lifetime ----------------------------------------------------------------------------------------------------

    [Fact]
    public async Task RequireExpirationTimeOff_TokenWithoutExp_IsValid()
    {
        var payload = new Dictionary<string, object> { ["iss"] = Issuer, ["aud"] = Audience, ["sub"] = "u1" };
        var token = SignHs256(Hs256Header, payload, Secret);

        var info = Valid(await HmacValidator(p => p.RequireExpirationTime = false).ValidateAsync(token, default));

        Assert.Null(info.ExpiresAt);
    }

    [Fact]
    public async Task HugeClockSkew_SaturatesAtBothEndsOfTheCalendar_NeverThrows()
    {
        // ~8,000 years: exp + skew passes year 9999 and nbf − skew passes year 1. Both saturate instead of throwing.
        var token = Token(("sub", "u1"), ("nbf", _time.GetUtcNow().AddHours(2).ToUnixTimeSeconds()));

        var info = Valid(await HmacValidator(p => p.ClockSkew = TimeSpan.FromDays(8_000 * 365)).ValidateAsync(token, default));

        Assert.Equal(DateTimeOffset.MaxValue, info.ExpiresAt);
    }

    [Theory]
    [InlineData("exp")]
    [InlineData("nbf")]
    [InlineData("iat")]
    public async Task QuotedDate_NamedInTheFailure(string claim)
    {
        var at = claim == "exp" ? _time.GetUtcNow().AddHours(1) : _time.GetUtcNow().AddMinutes(-1);
        var token = Token(("sub", "u1"), (claim, at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var result = await HmacValidator().ValidateAsync(token, default);

        Assert.Equal(TokenCheckStatus.Invalid, result.Status);
        Assert.Contains($"'{claim}' is a string", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuotedExp_AfterArrayAndObjectMembers_StillFound()
    {
        // The scan skips nested values whole; otherwise it would stop inside the first array and miss the quoted exp.
        var exp = _time.GetUtcNow().AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var token = Token(("sub", "u1"), ("groups", new[] { "a", "b" }), ("address", new Dictionary<string, object> { ["exp"] = 1 }), ("exp", exp));

        var result = await HmacValidator().ValidateAsync(token, default);

        Assert.Equal(TokenCheckStatus.Invalid, result.Status);
        Assert.Contains("'exp' is a string", result.Failure, StringComparison.Ordinal);
    }

    // ---- Algorithms: what the keys imply, unless the host lists them -------------------------------------------------

    private static JsonWebKey RsaJwk(RsaSecurityKey key, string alg)
    {
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(PublicOnly(key));
        jwk.Alg = alg;
        return jwk;
    }

    private string Signed(SecurityKey key, string algorithm)
        => CreateToken(key, algorithm, _time.GetUtcNow());

    public static TheoryData<string> JwkPlacements => ["IssuerSigningKey", "IssuerSigningKeys", "EmptyValidAlgorithms"];

    [Theory]
    [MemberData(nameof(JwkPlacements))]
    public async Task JwkWithAlg_TokenSignedWithAnotherAlgorithmOfTheSameKey_Refused(string placement)
    {
        var rsa = Rsa("k1");
        var jwk = RsaJwk(rsa, SecurityAlgorithms.RsaSha256);
        var validator = Validator(new JwtValidationOptions
        {
            TokenValidationParameters = placement switch
            {
                "IssuerSigningKey" => new() { ValidIssuer = Issuer, ValidAudience = Audience, IssuerSigningKey = jwk },
                "IssuerSigningKeys" => new() { ValidIssuer = Issuer, ValidAudience = Audience, IssuerSigningKeys = [jwk] },
                _ => new() { ValidIssuer = Issuer, ValidAudience = Audience, IssuerSigningKeys = [jwk], ValidAlgorithms = [] },
            },
        });

        Valid(await validator.ValidateAsync(Signed(rsa, SecurityAlgorithms.RsaSha256), default));
        var other = await validator.ValidateAsync(Signed(rsa, SecurityAlgorithms.RsaSsaPssSha256), default);

        // IdentityModel reports an algorithm outside ValidAlgorithms as a signature no key verifies.
        Assert.Equal(TokenCheckStatus.Invalid, other.Status);
        Assert.Equal("The token's signature is invalid.", other.Failure);
    }

    [Fact]
    public async Task JwkWithAlgBesideASymmetricKey_EachKeyKeepsItsOwnAlgorithms()
    {
        var rsa = Rsa("k1");
        var hmac = new SymmetricSecurityKey(Secret) { KeyId = "h1" };
        var validator = Validator(new JwtValidationOptions
        {
            TokenValidationParameters = new() { ValidIssuer = Issuer, ValidAudience = Audience, IssuerSigningKeys = [RsaJwk(rsa, SecurityAlgorithms.RsaSha256), hmac] },
        });

        Valid(await validator.ValidateAsync(Signed(rsa, SecurityAlgorithms.RsaSha256), default));
        Valid(await validator.ValidateAsync(Signed(hmac, SecurityAlgorithms.HmacSha256), default));
        Assert.Equal(TokenCheckStatus.Invalid, (await validator.ValidateAsync(Signed(rsa, SecurityAlgorithms.RsaSha512), default)).Status);
    }

    [Fact]
    public async Task ValidAlgorithmsListedByTheHost_AreKept_NotWidenedToWhatTheKeyAllows()
    {
        var rsa = Rsa("k1");
        var validator = Validator(new JwtValidationOptions
        {
            TokenValidationParameters = new() { ValidIssuer = Issuer, ValidAudience = Audience, IssuerSigningKey = PublicOnly(rsa), ValidAlgorithms = [SecurityAlgorithms.RsaSha256] },
        });

        Valid(await validator.ValidateAsync(Signed(rsa, SecurityAlgorithms.RsaSha256), default));
        var pss = await validator.ValidateAsync(Signed(rsa, SecurityAlgorithms.RsaSsaPssSha256), default);

        Assert.Equal(TokenCheckStatus.Invalid, pss.Status);
        Assert.Equal("The token's signature is invalid.", pss.Failure);
    }

    [Fact]
    public async Task EncryptedToken_WithoutDecryptionKeys_InvalidWithTheGeneralDescription()
    {
        var rsa = Rsa("k1");
        var jwe = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Expires = _time.GetUtcNow().AddHours(1).UtcDateTime,
            Claims = new Dictionary<string, object> { ["sub"] = "u1" },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Secret), SecurityAlgorithms.HmacSha256),
            EncryptingCredentials = new EncryptingCredentials(PublicOnly(rsa), SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes128CbcHmacSha256),
        });

        var result = await HmacValidator().ValidateAsync(jwe, default);

        Assert.Equal(TokenCheckStatus.Invalid, result.Status);
        Assert.Equal("The token is invalid.", result.Failure);
    }

    // ---- Beside an authority: the options' own issuers and keys still count ------------------------------------------

    [Fact]
    public async Task Authority_OptionsOwnIssuersAndKeys_AcceptedBesideTheDiscoveredOnes()
    {
        var discoveredKey = Rsa("idp-1");
        var ownKey = Rsa("own-1");
        var configuration = new OpenIdConnectConfiguration { Issuer = FakeIdentityProvider.Authority };
        configuration.SigningKeys.Add(PublicOnly(discoveredKey));
        var validator = Validator(new JwtValidationOptions
        {
            ConfigurationManager = new HostManager(configuration),
            TokenValidationParameters = new() { ValidAudience = Audience, ValidIssuers = ["https://own.test"], IssuerSigningKeys = [PublicOnly(ownKey)] },
        });

        Valid(await validator.ValidateAsync(CreateToken(discoveredKey, SecurityAlgorithms.RsaSha256, _time.GetUtcNow(), issuer: FakeIdentityProvider.Authority), default));
        Valid(await validator.ValidateAsync(CreateToken(ownKey, SecurityAlgorithms.RsaSha256, _time.GetUtcNow(), issuer: "https://own.test"), default));
        Valid(await validator.ValidateAsync(CreateToken(ownKey, SecurityAlgorithms.RsaSha256, _time.GetUtcNow(), issuer: FakeIdentityProvider.Authority), default));
        Assert.Equal(TokenCheckStatus.Invalid, (await validator.ValidateAsync(CreateToken(ownKey, SecurityAlgorithms.RsaSha256, _time.GetUtcNow(), issuer: "https://evil.test"), default)).Status);
    }

    // ---- A host's own configuration manager ---------------------------------------------------------------------------

    [Fact]
    public async Task HostManager_UnknownKid_AsksForARefresh_AndRetriesWithWhatItReturnsNow()
    {
        var key1 = Rsa("key-1");
        var key2 = Rsa("key-2");
        var manager = new HostManager(Configuration(key1)) { OnRefresh = () => Configuration(key1, key2) };
        var validator = Validator(new JwtValidationOptions { ConfigurationManager = manager, TokenValidationParameters = new() { ValidAudience = Audience } });

        var info = Valid(await validator.ValidateAsync(CreateToken(key2, SecurityAlgorithms.RsaSha256, _time.GetUtcNow(), issuer: FakeIdentityProvider.Authority), default));

        Assert.Equal("user-42", info.Subject);
        Assert.Equal(1, manager.Refreshes);
        Assert.Contains(_logs.Entries, e => e.EventId.Name == "SigningKeysRefreshing");
    }

    [Fact]
    public async Task HostManager_UnknownKid_RefreshBringsNothingNew_RefusedAsUnknownKey()
    {
        var key1 = Rsa("key-1");
        var manager = new HostManager(Configuration(key1));
        var validator = Validator(new JwtValidationOptions { ConfigurationManager = manager, TokenValidationParameters = new() { ValidAudience = Audience } });

        var result = await validator.ValidateAsync(CreateToken(Rsa("key-x"), SecurityAlgorithms.RsaSha256, _time.GetUtcNow(), issuer: FakeIdentityProvider.Authority), default);

        Assert.Equal(TokenCheckStatus.Invalid, result.Status);
        Assert.Equal("The token's signing key is not known.", result.Failure);
        Assert.Equal(1, manager.Refreshes);
    }

    [Fact]
    public async Task HostManager_Throws_UnavailableWithItsException_AndLogged()
    {
        var failure = new InvalidOperationException("metadata endpoint says no");
        var validator = Validator(new JwtValidationOptions { ConfigurationManager = new HostManager(failure), TokenValidationParameters = new() { ValidAudience = Audience } });

        var result = await validator.ValidateAsync(CreateToken(Rsa("key-1"), SecurityAlgorithms.RsaSha256, _time.GetUtcNow(), issuer: FakeIdentityProvider.Authority), default);

        Assert.Equal(TokenCheckStatus.Unavailable, result.Status);
        Assert.Equal("The token issuer's signing keys could not be retrieved.", result.Failure);
        Assert.Same(failure, result.Exception);
        Assert.Contains(_logs.Entries, e => e.EventId.Name == "ConfigurationUnavailable" && e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task HostManager_Slow_UnavailableAfterKeyRefreshTimeout_OnTheInjectedClock()
    {
        var pending = new TaskCompletionSource<OpenIdConnectConfiguration>(TaskCreationOptions.RunContinuationsAsynchronously);
        var validator = Validator(new JwtValidationOptions { ConfigurationManager = new HostManager(pending.Task), KeyRefreshTimeout = TimeSpan.FromSeconds(2), TokenValidationParameters = new() { ValidAudience = Audience } });

        var validation = validator.ValidateAsync(CreateToken(Rsa("key-1"), SecurityAlgorithms.RsaSha256, _time.GetUtcNow(), issuer: FakeIdentityProvider.Authority), default).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(1_999));
        await Task.Yield();
        Assert.False(validation.IsCompleted, "Gave up before KeyRefreshTimeout.");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await validation.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(TokenCheckStatus.Unavailable, result.Status);
        Assert.Equal("The token issuer's signing keys could not be retrieved in time.", result.Failure);
        Assert.Contains(_logs.Entries, e => e.EventId.Name == "BackendTimedOut");
    }

    [Fact]
    public async Task HostManager_Cancelled_WhileWaiting_ThrowsOperationCanceled()
    {
        var pending = new TaskCompletionSource<OpenIdConnectConfiguration>(TaskCreationOptions.RunContinuationsAsynchronously);
        var validator = Validator(new JwtValidationOptions { ConfigurationManager = new HostManager(pending.Task), TokenValidationParameters = new() { ValidAudience = Audience } });
        using var aborted = new CancellationTokenSource();

        var validation = validator.ValidateAsync(CreateToken(Rsa("key-1"), SecurityAlgorithms.RsaSha256, _time.GetUtcNow(), issuer: FakeIdentityProvider.Authority), aborted.Token).AsTask();
        await aborted.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => validation.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HostManager_AbandonedRetrievalFailsLater_ItsExceptionIsObserved(bool cancelled)
    {
        // A request that stopped waiting (time-out, or the client went away) must still observe the retrieval's fault:
        // an unobserved faulted task is reported as UnobservedTaskException when it is collected.
        var marker = $"abandoned retrieval {Guid.NewGuid():N}";
        var unobserved = 0;
        var control = 0;
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            var messages = e.Exception.Flatten().InnerExceptions.Select(x => x.Message).ToList();
            if (messages.Contains(marker))
            {
                Interlocked.Increment(ref unobserved);
            }

            if (messages.Contains(marker + " (control)"))
            {
                Interlocked.Increment(ref control);
            }
        }

        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            await AbandonAsync(cancelled, marker);
            for (var i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            // The control, a faulted task nobody observed, shows that this detects one.
            Assert.Equal(1, Volatile.Read(ref control));
            Assert.Equal(0, Volatile.Read(ref unobserved));
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }
    }

    /// <summary>Starts a validation whose retrieval hangs, abandons it, then faults that retrieval (once this returns, nothing holds it).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task AbandonAsync(bool cancelled, string marker)
    {
        var pending = new TaskCompletionSource<OpenIdConnectConfiguration>();
        var validator = Validator(new JwtValidationOptions { ConfigurationManager = new HostManager(pending.Task), TokenValidationParameters = new() { ValidAudience = Audience } });
        using var aborted = new CancellationTokenSource();
        var validation = validator.ValidateAsync(CreateToken(Rsa("key-1"), SecurityAlgorithms.RsaSha256, _time.GetUtcNow(), issuer: FakeIdentityProvider.Authority), aborted.Token).AsTask();
        if (cancelled)
        {
            await aborted.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => validation);
        }
        else
        {
            _time.Advance(TimeSpan.FromSeconds(3));
            Assert.Equal(TokenCheckStatus.Unavailable, (await validation.WaitAsync(TimeSpan.FromSeconds(10))).Status);
        }

        pending.SetException(new InvalidOperationException(marker));
        new TaskCompletionSource().SetException(new InvalidOperationException(marker + " (control)"));
    }

    private static OpenIdConnectConfiguration Configuration(params RsaSecurityKey[] keys)
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = FakeIdentityProvider.Authority };
        foreach (var key in keys)
        {
            configuration.SigningKeys.Add(PublicOnly(key));
        }

        return configuration;
    }

    /// <summary>A configuration manager of the host's own (TokenAuth supports one through <see cref="JwtValidationOptions.ConfigurationManager"/>).</summary>
    private sealed class HostManager : IConfigurationManager<OpenIdConnectConfiguration>
    {
        private Task<OpenIdConnectConfiguration> _current;

        public HostManager(OpenIdConnectConfiguration configuration) => _current = Task.FromResult(configuration);

        public HostManager(Exception failure) => _current = Task.FromException<OpenIdConnectConfiguration>(failure);

        public HostManager(Task<OpenIdConnectConfiguration> pending) => _current = pending;

        public Func<OpenIdConnectConfiguration>? OnRefresh { get; init; }

        public int Refreshes { get; private set; }

        public Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel) => _current;

        public void RequestRefresh()
        {
            Refreshes++;
            if (OnRefresh is { } refresh)
            {
                _current = Task.FromResult(refresh());
            }
        }
    }
}
