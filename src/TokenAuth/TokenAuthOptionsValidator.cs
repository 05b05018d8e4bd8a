using Microsoft.Extensions.Options;

namespace TokenAuth;

/// <summary>Runs <see cref="TokenAuthOptions.Validate()"/> at start-up, so a misconfigured host does not start.</summary>
internal sealed class TokenAuthOptionsValidator : IValidateOptions<TokenAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenAuthOptions options)
    {
        try
        {
            options.Validate(name ?? TokenAuthDefaults.AuthenticationScheme);
            return ValidateOptionsResult.Success;
        }
        catch (InvalidOperationException ex)
        {
            return ValidateOptionsResult.Fail($"TokenAuth scheme '{name}': {ex.Message}");
        }
    }
}
