namespace Depot.Emulator.Domain.Authorization;

public enum EnforcementMode
{
    /// <summary>Denials are errors.</summary>
    Enforce,

    /// <summary>Denials are recorded and logged, and the request goes on.</summary>
    Soft,

    /// <summary>Nothing is checked; a request without a token reaches everything.</summary>
    Off,
}

public enum AccessOutcome
{
    Anonymous,
    Allowed,
    Denied,
    WouldDeny,
}
