namespace TokenAuth.Server;

/// <summary>
/// The users the token server signs in: the resource owners of the password and authorization code grants,
/// and the users a client may ask a token for (<see cref="TokenClient.CanActForUsers"/>). Host-provided; the
/// server checks passwords itself, in constant time, against <see cref="TokenUser.PasswordHashes"/>.
/// Without a registered store the password and code grants are unavailable.
/// </summary>
public interface ITokenUserStore
{
    /// <summary>Finds a user by the name they sign in with.</summary>
    /// <param name="userName">The name as typed; how case is treated is the store's choice.</param>
    /// <param name="cancellationToken">Cancelled when the request is aborted.</param>
    /// <returns>The user, or <see langword="null"/> when unknown.</returns>
    ValueTask<TokenUser?> FindByNameAsync(string userName, CancellationToken cancellationToken);

    /// <summary>Finds a user by id.</summary>
    /// <param name="userId">The id (a token's subject).</param>
    /// <param name="cancellationToken">Cancelled when the request is aborted.</param>
    /// <returns>The user, or <see langword="null"/> when unknown.</returns>
    ValueTask<TokenUser?> FindByIdAsync(string userId, CancellationToken cancellationToken);
}
