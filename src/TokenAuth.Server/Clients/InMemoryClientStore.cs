using Microsoft.Extensions.Options;

namespace TokenAuth.Server;

/// <summary>
/// The default client store: the clients of <see cref="TokenServerOptions.Clients"/>. Plaintext secrets
/// are hashed once, here (PBKDF2: they were chosen by a person), and the plaintext is not kept.
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

            _clients[configured.ClientId] = configured.WithSecretHashes(hashes);
        }
    }

    public ValueTask<TokenClient?> FindByIdAsync(string clientId, CancellationToken cancellationToken)
        => ValueTask.FromResult(_clients.GetValueOrDefault(clientId));
}
