using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using TokenAuth;

namespace TokenAuth.Sample.Controllers;

/// <summary>An MVC controller protected by TokenAuth: <c>[Authorize]</c> on the class, a scope on one action.</summary>
[ApiController]
[Route("api/profile")]
[Authorize]
public sealed class ProfileController : ControllerBase
{
    /// <summary>Any valid token.</summary>
    [HttpGet]
    public IActionResult Get() => Ok(new
    {
        subject = User.FindFirst(TokenAuthClaimTypes.Subject)?.Value,
        clientId = User.FindFirst(TokenAuthClaimTypes.ClientId)?.Value,
    });

    /// <summary>Only tokens with the <c>write</c> scope; others get 403 <c>insufficient_scope</c>.</summary>
    [HttpPut]
    [RequireScope("write")]
    public IActionResult Update([FromBody] NoteRequest note) => Ok(new { updated = note.Text });
}
