using System.Globalization;

namespace TokenAuth;

/// <summary>Client-facing failure texts shared by validators and the handler.</summary>
internal static class Messages
{
    public static string Expired(DateTimeOffset expiresAt)
        => string.Create(CultureInfo.InvariantCulture, $"The token expired at {expiresAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}.");

    public static string NotYetValid(DateTimeOffset notBefore)
        => string.Create(CultureInfo.InvariantCulture, $"The token is not valid before {notBefore.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}.");
}
