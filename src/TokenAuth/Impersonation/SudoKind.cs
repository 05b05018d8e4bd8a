namespace TokenAuth;

/// <summary>How a sudo value names its target user (seed 001).</summary>
public enum SudoKind
{
    /// <summary><c>uid:&lt;id&gt;</c>: the user's id.</summary>
    Uid,

    /// <summary><c>loginName:&lt;name&gt;</c> (or the deprecated <c>username:&lt;name&gt;</c>): the login name.</summary>
    LoginName,

    /// <summary><c>email:&lt;address&gt;</c>.</summary>
    Email,

    /// <summary><c>mobile:&lt;number&gt;</c>.</summary>
    Mobile,
}
