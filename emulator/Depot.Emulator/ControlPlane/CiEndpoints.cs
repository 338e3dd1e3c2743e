using Depot.Emulator.Domain.Ci;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Services.Ci;

namespace Depot.Emulator.ControlPlane;

/// <summary>
/// Depot CI on the control plane: list runs and their jobs, end a job as a finished, failed or cancelled one, drop
/// live log streams (to exercise reconnects), and the bytes behind artifact download URLs.
/// </summary>
internal static class CiEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/ci/{organization}/runs", (string organization, CiEngine engine) =>
            Results.Ok(new { runs = engine.Runs(organization).Select(Run) }));

        group.MapGet("/ci/{organization}/runs/{id}", (string organization, string id, CiEngine engine) => Results.Ok(Run(engine.Run(organization, id))));

        group.MapPost("/ci/{organization}/jobs/{id}/{outcome}", async (string organization, string id, string outcome, HttpRequest request, CiEngine engine) =>
        {
            var status = outcome switch
            {
                "finish" => CiStatus.Finished,
                "fail" => CiStatus.Failed,
                "cancel" => CiStatus.Cancelled,
                _ => throw DepotErrors.NotFound("job outcome", outcome + " (finish, fail or cancel)"),
            };
            var body = request.ContentLength is > 0 ? await ControlPlaneEndpoints.ReadJsonAsync<JobOutcomeRequest>(request) : new JobOutcomeRequest(null);
            var job = engine.EndJob(organization, id, status, body.Message ?? (status == CiStatus.Failed ? "failed from the control plane" : null));
            return Results.Ok(Job(job));
        });

        group.MapPost("/ci/log-streams/drop", (CiLogStreams streams) =>
        {
            streams.DropAll();
            return Results.Ok(new { dropped = true });
        });

        group.MapGet("/ci/artifacts/{organization}/{id}", (string organization, string id, CiEngine engine) =>
        {
            var artifact = CiArtifacts.Find(engine, organization, id) ?? throw DepotErrors.NotFound("artifact", id);
            return Results.File(CiArtifacts.Content(artifact.Name, artifact.JobKey), "application/octet-stream", artifact.Name);
        });
    }

    private sealed record JobOutcomeRequest(string? Message);

    private static object Run(RunView view) => new
    {
        id = view.Run.Id,
        organization = view.Run.OrganizationId,
        repo = view.Run.Repo,
        sha = view.Run.Sha,
        status = view.Run.Status,
        createdAt = view.Run.CreatedAt,
        finishedAt = view.Run.FinishedAt,
        workflows = view.Workflows.Select(w => new
        {
            id = w.Workflow.Id, name = w.Workflow.Name, path = w.Workflow.Path, status = w.Workflow.Status, jobs = w.Jobs.Select(Job),
        }),
    };

    private static object Job(JobView job) => new
    {
        id = job.Job.Id,
        key = job.Job.Key,
        status = job.Job.Status,
        startedAt = job.Job.StartedAt,
        finishedAt = job.Job.FinishedAt,
        attempts = job.Attempts.Select(a => new { id = a.Id, attempt = a.Number, status = a.Status, failedStep = a.FailedStep, error = a.ErrorMessage }),
    };
}
