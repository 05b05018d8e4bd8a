namespace TokenAuth;

/// <summary>
/// Sudo (seed 001; GitLab's <c>sudo</c> is the public precedent): a token holding <see cref="Scope"/> may act as
/// another user named by <c>sudo=uid:|loginName:|email:|mobile:</c>. Active when an <see cref="ISudoUserStore"/> is registered.
/// </summary>
public sealed class SudoOptions
{
    /// <summary>Whether sudo is honoured at all (it also needs a registered <see cref="ISudoUserStore"/>). Default on.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The scope a token needs to use sudo. Default <c>sudo</c>.</summary>
    public string Scope { get; set; } = "sudo";

    /// <summary>Read the query parameter. Default on.</summary>
    public bool Query { get; set; } = true;

    /// <summary>The query parameter. Default <c>sudo</c>.</summary>
    public string QueryName { get; set; } = "sudo";

    /// <summary>Read the header. Default on.</summary>
    public bool Header { get; set; } = true;

    /// <summary>The header. Default <c>Sudo</c>.</summary>
    public string HeaderName { get; set; } = "Sudo";

    /// <summary>Accept the deprecated <c>username:</c> form as <c>loginName:</c>, with a logged warning. Default on.</summary>
    public bool AllowUsernameAlias { get; set; } = true;

    /// <summary>The longest value after the kind. Default 128.</summary>
    public int MaxValueLength { get; set; } = 128;

    /// <summary>
    /// How long a user the <see cref="ISudoUserStore"/> found is kept on this node, keyed by the sudo value and the
    /// request's tenant. Default 10 seconds; <see cref="TimeSpan.Zero"/> asks the store on every request. Only found
    /// users are kept, never "not found" or a failure. Sudo itself — the scope check,
    /// <see cref="ISudoUserStore.CanImpersonateAsync"/>, the <c>Impersonating</c> event — still runs on every request.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(10);
}
