using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Testresults.V1;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Ci;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Services.TestResults;

/// <summary>
/// <c>depot.testresults.v1.TestResultsService</c> (<c>depot tests</c>). Results are reported from inside a CI job,
/// and the emulator's simulated jobs run no tests, so attempts have no results; splitting works on names alone.
/// </summary>
internal sealed class TestResultsServiceHandler(CiEngine engine) : IConnectService
{
    public const uint MaxShards = 1000;
    public const int MaxCandidates = 100_000;

    private static readonly ServiceDescriptor Service = TestResultsReflection.Descriptor.FindTypeByName<ServiceDescriptor>("TestResultsService");

    private static MethodDescriptor Method(string name) => Service.FindMethodByName(name);

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<ReportTestResultsRequest, ReportTestResultsResponse>(Method("ReportTestResults"), ReportTestResults)
        .Unary<SplitTestsRequest, SplitTestsResponse>(Method("SplitTests"), SplitTests)
        .Unary<ListTestResultsRequest, ListTestResultsResponse>(Method("ListTestResults"), ListTestResults)
        .Unary<ListTestAnalyticsRequest, ListTestAnalyticsResponse>(Method("ListTestAnalytics"), ListTestAnalytics);

    private static string Org(ConnectCallContext context) => context.Access().ScopedOrganization(context.DepotOrg()).Id;

    private static Task<ReportTestResultsResponse> ReportTestResults(ReportTestResultsRequest request, ConnectCallContext context)
    {
        Org(context);
        throw DepotErrors.Precondition("test results are reported by a running Depot CI job; the emulator's simulated jobs have no job identity to report under");
    }

    /// <summary>
    /// Without timings every candidate weighs the same: sorted, then dealt round-robin to the shards. No
    /// organization's data is read, so none needs naming (<c>depot tests split</c> has no <c>--org</c>).
    /// </summary>
    private static Task<SplitTestsResponse> SplitTests(SplitTestsRequest request, ConnectCallContext context)
    {
        if (request.ShardTotal is 0 or > MaxShards || request.ShardIndex >= request.ShardTotal)
        {
            throw DepotErrors.Invalid($"shard_index must be below shard_total, and shard_total between 1 and {MaxShards}");
        }

        if (request.Candidates.Count > MaxCandidates)
        {
            throw DepotErrors.Invalid($"at most {MaxCandidates} candidates");
        }

        var sorted = request.Candidates.Distinct().Order(StringComparer.Ordinal).ToList();
        var response = new SplitTestsResponse { CandidatesRequested = (uint)request.Candidates.Count };
        response.Candidates.Add(sorted.Where((_, i) => i % request.ShardTotal == request.ShardIndex));
        response.CandidatesSelected = (uint)response.Candidates.Count;
        return Task.FromResult(response);
    }

    private Task<ListTestResultsResponse> ListTestResults(ListTestResultsRequest request, ConnectCallContext context)
    {
        var org = Org(context);
        if (request.OwnerType == TestResultsOwnerType.GithubActions)
        {
            throw DepotErrors.Precondition("GitHub Actions test results need GitHub, which the emulator does not reach");
        }

        var id = request.OwnerId.Length > 0 ? request.OwnerId : throw DepotErrors.Required("owner_id");
        var attempt = LatestAttempt(org, id);
        return Task.FromResult(new ListTestResultsResponse { OwnerType = TestResultsOwnerType.Ci, OwnerId = attempt, NextPageToken = "" });
    }

    private static Task<ListTestAnalyticsResponse> ListTestAnalytics(ListTestAnalyticsRequest request, ConnectCallContext context)
    {
        Org(context);
        return Task.FromResult(new ListTestAnalyticsResponse
        {
            StartDate = request.StartDate, EndDate = request.EndDate, Ranking = request.Ranking, HasMore = false,
        });
    }

    /// <summary>A run, job or attempt id names its latest attempt, as <c>depot ci logs</c> resolves them.</summary>
    private string LatestAttempt(string org, string id)
    {
        foreach (var resolve in new Func<string>[]
        {
            () => engine.Attempt(org, id).Attempt.Id,
            () => engine.Job(org, id).Job.Latest?.Id ?? id,
            () => engine.Run(org, id).Jobs.LastOrDefault(j => j.Latest is not null)?.Latest?.Id ?? id,
        })
        {
            try
            {
                return resolve();
            }
            catch (DepotException e) when (e.Kind == DepotErrorKind.NotFound)
            {
            }
        }

        throw DepotErrors.NotFound("Depot CI run, job or attempt", id);
    }
}
