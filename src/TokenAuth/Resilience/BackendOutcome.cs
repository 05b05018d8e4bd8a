namespace TokenAuth;

/// <summary>How a call through a <see cref="BackendGuard"/> ended.</summary>
internal enum BackendOutcome
{
    /// <summary>The backend answered (an answer of "not found" included).</summary>
    Succeeded,

    /// <summary>The backend threw.</summary>
    Faulted,

    /// <summary>The backend did not answer within the deadline; the call was abandoned.</summary>
    TimedOut,

    /// <summary>The circuit is open: the backend was not asked.</summary>
    Rejected,
}
