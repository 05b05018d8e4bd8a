namespace TokenAuth.Server;

/// <summary>Finds the clients the token server serves.</summary>
public interface IClientStore
{
    /// <summary>Finds a client by id.</summary>
    /// <param name="clientId">The client id, as the request gave it.</param>
    /// <param name="cancellationToken">Cancelled when the request is aborted.</param>
    /// <returns>The client, or <see langword="null"/> when unknown.</returns>
    ValueTask<TokenClient?> FindByIdAsync(string clientId, CancellationToken cancellationToken);
}
