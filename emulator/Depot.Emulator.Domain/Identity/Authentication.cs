using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Domain.Identity;

/// <summary>Who a bearer is, or why it is no one: the answer of authentication, as a value.</summary>
public sealed record Authentication(Principal? Principal, DepotException? Failure)
{
    public static Authentication Of(Principal principal) => new(principal, null);

    public static Authentication Refused(DepotException failure) => new(null, failure);
}
