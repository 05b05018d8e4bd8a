namespace TokenAuth;

/// <summary>Cheap checks on a token's shape, made before any backend is asked.</summary>
internal static class TokenShape
{
    /// <summary>Returns why <paramref name="token"/> cannot be a token, or <see langword="null"/>.</summary>
    public static string? Check(string token, int maxLength)
    {
        if (token.Length == 0)
        {
            return "The token is empty.";
        }

        if (token.Length > maxLength)
        {
            return $"The token is longer than {maxLength} characters.";
        }

        // RFC 6750 §2.1 b64token is a subset of visible ASCII; anything else (controls, spaces, non-ASCII) is not a token.
        foreach (var c in token)
        {
            if (c is < '!' or > '~')
            {
                return "The token contains characters that are not allowed.";
            }
        }

        return null;
    }

    /// <summary>Whether the token is three base64url segments (a JWS in compact serialization).</summary>
    public static bool LooksLikeJwt(string token)
    {
        var dots = 0;
        var segmentLength = 0;
        foreach (var c in token)
        {
            if (c == '.')
            {
                if (segmentLength == 0 && dots < 2)
                {
                    return false;
                }

                dots++;
                segmentLength = 0;
                continue;
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }

            segmentLength++;
        }

        // The signature segment may be empty only for alg "none", which is rejected later but still routed as a JWT.
        return dots == 2;
    }
}
