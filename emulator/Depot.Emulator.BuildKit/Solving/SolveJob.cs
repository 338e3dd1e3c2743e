using System.Collections.Concurrent;
using Depot.Emulator.BuildKit.Dockerfiles;
using Moby.BuildKit.V1.Frontend;
using ControlSolveRequest = Moby.BuildKit.V1.SolveRequest;

namespace Depot.Emulator.BuildKit.Solving;

/// <summary>What a frontend produced: the plan it ran and what came of it, under the id it returned.</summary>
internal sealed record FrontendResult(string RefId, BuildPlan Plan, Interpretation Interpretation, IReadOnlyDictionary<string, string> Options)
{
    private readonly ConcurrentDictionary<bool, Images.OciImage> _images = new();

    /// <summary>The built stage as an image, written once per media-type choice (the gateway's result and the export share it).</summary>
    public Images.OciImage? Image(bool ociMediaTypes) =>
        Interpretation.Image is { } built
            ? _images.GetOrAdd(ociMediaTypes, oci => Images.ImageWriter.Write(built, oci, Created))
            : null;

    /// <summary>SOURCE_DATE_EPOCH when the build sets it, else the epoch: the same inputs give the same image.</summary>
    public DateTimeOffset Created =>
        long.TryParse(Options.GetValueOrDefault("build-arg:SOURCE_DATE_EPOCH"), out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.UnixEpoch;
}

/// <summary>
/// One build as the daemon sees it, keyed by the client's ref: the control Solve, the gateway calls that carry
/// the same ref, and the status stream, which may each arrive first.
/// </summary>
internal sealed class SolveJob(string reference, StatusFeed feed)
{
    private readonly TaskCompletionSource<ControlSolveRequest> _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<ReturnRequest> _returned = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Ref { get; } = reference;

    public StatusFeed Feed { get; } = feed;

    public BuildKitClaim? Claim { get; set; }

    public ConcurrentDictionary<string, FrontendResult> Results { get; } = new(StringComparer.Ordinal);

    public Task<ControlSolveRequest> Registered => _registered.Task;

    public Task<ReturnRequest> Returned => _returned.Task;

    public void Register(ControlSolveRequest request) => _registered.TrySetResult(request);

    public void Return(ReturnRequest request) => _returned.TrySetResult(request);
}
