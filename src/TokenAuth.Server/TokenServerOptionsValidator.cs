namespace TokenAuth.Server;

/// <summary>Start-up checks of profiles and clients: a misconfigured server does not start, and the message names what is wrong.</summary>
internal static class TokenServerOptionsValidator
{
    private static readonly string[] KnownGrantTypes =
        [GrantTypes.ClientCredentials, GrantTypes.RefreshToken, GrantTypes.AuthorizationCode, GrantTypes.Password, GrantTypes.Implicit];

    public static void ValidateProfiles(IList<TokenServerProfile> profiles)
    {
        var routes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var profile in profiles)
        {
            var name = string.IsNullOrWhiteSpace(profile.Name) ? profile.Path : profile.Name;
            string Where(string property) => $"{nameof(TokenServerOptions.Profiles)}['{name}'].{property}";

            if (string.IsNullOrWhiteSpace(profile.Name))
            {
                throw new InvalidOperationException($"{Where(nameof(TokenServerProfile.Name))} is required.");
            }

            if (!names.Add(profile.Name))
            {
                throw new InvalidOperationException($"{Where(nameof(TokenServerProfile.Name))}: two profiles are named '{profile.Name}'.");
            }

            if (!profile.Path.StartsWith('/'))
            {
                throw new InvalidOperationException($"{Where(nameof(TokenServerProfile.Path))} must start with '/'.");
            }

            if (profile.Methods.Count == 0 || profile.Methods.Any(m => m is not ("GET" or "POST")))
            {
                throw new InvalidOperationException($"{Where(nameof(TokenServerProfile.Methods))} must list GET and/or POST (upper case).");
            }

            foreach (var method in profile.Methods)
            {
                if (!routes.Add(method + " " + profile.Path.TrimEnd('/')))
                {
                    throw new InvalidOperationException($"{Where(nameof(TokenServerProfile.Path))}: {method} {profile.Path} is mapped by two profiles.");
                }
            }

            if (profile.Parameters == ParameterLocations.None)
            {
                throw new InvalidOperationException($"{Where(nameof(TokenServerProfile.Parameters))} must name where parameters are read.");
            }

            if (profile.Methods.Contains("GET") && !profile.Parameters.HasFlag(ParameterLocations.Query))
            {
                throw new InvalidOperationException($"{Where(nameof(TokenServerProfile.Parameters))}: a GET endpoint reads its parameters from the query string.");
            }

            if (profile.Kind == TokenServerEndpointKind.Authorize)
            {
                if (!profile.Methods.Contains("GET") || !profile.Methods.Contains("POST"))
                {
                    throw new InvalidOperationException($"{Where(nameof(TokenServerProfile.Methods))}: an authorize endpoint serves GET (the pages) and POST (their forms).");
                }
            }
            else if (profile.ClientAuthentication == ClientAuthenticationMethods.None
                     && profile.Kind is not (TokenServerEndpointKind.Check or TokenServerEndpointKind.Revoke))
            {
                throw new InvalidOperationException($"{Where(nameof(TokenServerProfile.ClientAuthentication))}: only check and revoke endpoints may go without client authentication.");
            }

            var wireNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var canonical in ServerEndpoint.KnownParameters)
            {
                var wire = profile.WireName(canonical);
                if (string.IsNullOrWhiteSpace(wire) || !wireNames.Add(wire))
                {
                    throw new InvalidOperationException($"{Where(nameof(TokenServerProfile.ParameterNames))}: '{wire}' names two parameters or is empty.");
                }
            }

            foreach (var grantType in profile.GrantTypes.Append(profile.DefaultGrantType).OfType<string>())
            {
                if (!KnownGrantTypes.Contains(grantType, StringComparer.Ordinal) || grantType == GrantTypes.Implicit)
                {
                    throw new InvalidOperationException($"{Where(nameof(TokenServerProfile.GrantTypes))}: '{grantType}' is not a grant type of the token endpoint.");
                }
            }

            if (profile.DefaultGrantType is { } defaultGrant && profile.GrantTypes.Count > 0 && !profile.GrantTypes.Contains(defaultGrant, StringComparer.Ordinal))
            {
                throw new InvalidOperationException($"{Where(nameof(TokenServerProfile.DefaultGrantType))} must be one of its {nameof(TokenServerProfile.GrantTypes)}.");
            }

            if (profile.AccessTokenLifetime <= TimeSpan.Zero)
            {
                throw new InvalidOperationException($"{Where(nameof(TokenServerProfile.AccessTokenLifetime))} must be positive.");
            }

            foreach (var grantType in profile.ResponseByGrantType.Keys)
            {
                // A format for a grant the endpoint never serves would be silently unused.
                if (!KnownGrantTypes.Contains(grantType, StringComparer.Ordinal) || (profile.GrantTypes.Count > 0 && !profile.GrantTypes.Contains(grantType, StringComparer.Ordinal)))
                {
                    throw new InvalidOperationException($"{Where(nameof(TokenServerProfile.ResponseByGrantType))}: '{grantType}' is not a grant type this endpoint serves.");
                }
            }

            foreach (var format in profile.ResponseByGrantType.Values.Prepend(profile.Response))
            {
                ValidateFormat(format, Where(nameof(TokenServerProfile.Response)));
            }
        }
    }

    public static void ValidateClients(IList<TokenClient> clients)
    {
        var duplicate = clients.GroupBy(c => c.ClientId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"{nameof(TokenServerOptions.Clients)}: client id '{duplicate.Key}' is configured more than once.");
        }

        foreach (var client in clients)
        {
            if (string.IsNullOrWhiteSpace(client.ClientId))
            {
                throw new InvalidOperationException($"{nameof(TokenServerOptions.Clients)}: a client has no {nameof(TokenClient.ClientId)}.");
            }

            var where = $"{nameof(TokenServerOptions.Clients)}: client '{client.ClientId}'";
            var hasSecret = !string.IsNullOrEmpty(client.ClientSecret) || client.ClientSecretHashes.Count > 0;
            if (client.IsPublic == hasSecret)
            {
                throw new InvalidOperationException(client.IsPublic
                    ? $"{where} is public and must have no secret."
                    : $"{where} has no {nameof(TokenClient.ClientSecretHashes)}.");
            }

            if (client.ClientSecretHashes.FirstOrDefault(h => !ClientSecretHasher.IsWellFormed(h)) is not null)
            {
                throw new InvalidOperationException($"{where} has a {nameof(TokenClient.ClientSecretHashes)} entry that is not a SHA256$… or PBKDF2-SHA256$… hash.");
            }

            if (client.IsPublic && client.AllowedGrantTypes.Count == 0)
            {
                // The default grant, client_credentials, authenticates with a secret: a public client without a listed grant could do nothing.
                throw new InvalidOperationException($"{where} is public and lists no {nameof(TokenClient.AllowedGrantTypes)} (the default, client_credentials, needs a secret).");
            }

            foreach (var grantType in client.AllowedGrantTypes)
            {
                if (!KnownGrantTypes.Contains(grantType, StringComparer.Ordinal))
                {
                    throw new InvalidOperationException($"{where}: '{grantType}' is not a grant type.");
                }

                if (client.IsPublic && grantType is GrantTypes.ClientCredentials or GrantTypes.Password)
                {
                    throw new InvalidOperationException($"{where} is public and cannot use the {grantType} grant.");
                }
            }

            // RFC 6749 §3.1.2.2: the authorization endpoint redirects only to a registered URI, so a client of these grants without one could never finish.
            if (client.RedirectUris.Count == 0 && client.AllowedGrantTypes.FirstOrDefault(g => g is GrantTypes.AuthorizationCode or GrantTypes.Implicit) is { } redirecting)
            {
                throw new InvalidOperationException($"{where} may use the {redirecting} grant and so needs {nameof(TokenClient.RedirectUris)}.");
            }

            // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ); "read write" as one entry is two scopes that never match.
            if (client.AllowedScopes.FirstOrDefault(s => s.Length == 0 || s.Any(c => c is < '\x21' or > '\x7E' or '"' or '\\')) is { } badScope)
            {
                throw new InvalidOperationException($"{where}: allowed scope '{badScope}' is not one scope token (RFC 6749 §3.3: printable ASCII, no space, quote or backslash).");
            }

            foreach (var uri in client.RedirectUris)
            {
                // RFC 6749 §3.1.2: absolute, no fragment.
                // On Unix "/cb" parses as an absolute file: URI; a redirect URI is never a file or a path.
                if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.IsFile || uri.StartsWith('/')
                    || parsed.Fragment.Length > 0 || uri.Contains('#', StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{where}: redirect URI '{uri}' must be absolute and have no fragment.");
                }
            }

            if (client.AccessTokenLifetime <= TimeSpan.Zero)
            {
                throw new InvalidOperationException($"{where}: {nameof(TokenClient.AccessTokenLifetime)} must be positive.");
            }
        }
    }

    private static void ValidateFormat(TokenResponseFormat format, string where)
    {
        if (string.IsNullOrWhiteSpace(format.TokenType))
        {
            throw new InvalidOperationException($"{where}.{nameof(TokenResponseFormat.TokenType)} is required.");
        }

        if (format.Envelope is not { } envelope)
        {
            return;
        }

        var members = new[] { envelope.CodeMember, envelope.MessageMember, envelope.Data == EnvelopeData.None ? null : envelope.DataMember, envelope.ErrorMember, envelope.SuccessFlagMember, envelope.StatusMember, envelope.TimestampMember, envelope.TrackIdMember }
            .Concat(envelope.NullMembers)
            .OfType<string>()
            .ToList();
        if (members.Any(string.IsNullOrWhiteSpace) || members.Distinct(StringComparer.Ordinal).Count() != members.Count)
        {
            throw new InvalidOperationException($"{where}.{nameof(TokenResponseFormat.Envelope)}: its members must be named, each differently.");
        }
    }
}
