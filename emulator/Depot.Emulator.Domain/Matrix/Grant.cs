namespace Depot.Emulator.Domain.Matrix;

/// <summary>What one token type may do with one service.</summary>
public enum Grant
{
    /// <summary>Every project the token's scope reaches.</summary>
    Allow,

    /// <summary>Only the token's own project or build.</summary>
    Scoped,

    /// <summary>Scoped, and read operations only.</summary>
    ReadOnly,

    Deny,
}

public enum Access
{
    Read,
    Write,
}

/// <summary>A Depot service as the matrix names it.</summary>
public sealed record DepotService(string Id, string Title)
{
    /// <summary>Operations that read no token: login and the identity providers.</summary>
    public static readonly DepotService None = new("none", "no service");

    public bool RequiresToken => this != None;
}

/// <summary>One row of the operation table.</summary>
public sealed record OperationInfo(string Name, DepotService Service, Access Access);
