using Microsoft.Extensions.Options;

namespace TokenAuth.Server;

/// <summary>
/// The default client store: the clients of <see cref="TokenServerOptions.Clients"/>. Plaintext secrets
/// are hashed once, here, and the plaintext is not kept.
/// </summary>
internal sealed class InMemoryClientStore : IClientStore
{
    private readonly Dictionary<string, TokenClient> _clients = new(StringComparer.Ordinal);

    public InMemoryClientStore(IOptions<TokenServerOptions> options)
    {
        foreach (var configured in options.Value.Clients)
        {
            var hashes = configured.ClientSecretHashes.ToList();
            if (!string.IsNullOrEmpty(configured.ClientSecret))
            {
                hashes.Add(ClientSecretHasher.Hash(configured.ClientSecret));
            }

            _clients[configured.ClientId] = new TokenClient
            {
                ClientId = configured.ClientId,
                DisplayName = configured.DisplayName,
                ClientSecretHashes = hashes,
                AllowedGrantTypes = configured.AllowedGrantTypes.Count > 0 ? [.. configured.AllowedGrantTypes] : [GrantTypes.ClientCredentials],
                AllowedScopes = [.. configured.AllowedScopes],
                AccessTokenLifetime = configured.AccessTokenLifetime,
            };
        }
    }

    public ValueTask<TokenClient?> FindByIdAsync(string clientId, CancellationToken cancellationToken)
        => ValueTask.FromResult(_clients.GetValueOrDefault(clientId));
}
