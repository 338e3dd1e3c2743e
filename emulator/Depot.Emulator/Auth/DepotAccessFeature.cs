using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Authorization;

namespace Depot.Emulator.Auth;

/// <summary>The access decision of the current request, for handlers and the journal.</summary>
public sealed class DepotAccessFeature(RequestAccess access)
{
    public RequestAccess Access { get; } = access;
}

public static class DepotCallContextExtensions
{
    public static RequestAccess Access(this ConnectCallContext context) =>
        context.HttpContext.Features.Get<DepotAccessFeature>()?.Access
        ?? throw new InvalidOperationException($"{context.Procedure} ran without an access decision");

    /// <summary>The <c>x-depot-org</c> header, which narrows listings to one organization.</summary>
    public static string? DepotOrg(this ConnectCallContext context) => context.RequestHeader("x-depot-org");
}
