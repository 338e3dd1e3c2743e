using System.Net;
using System.Text;
using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.ControlPlane;

/// <summary>
/// Builds on the control plane: what each build did (the page its <c>build_url</c> opens), and cancelling one
/// as Depot's dashboard does.
/// </summary>
internal static class BuildEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/builds", (DepotState state, string? project) => Results.Ok(new
        {
            builds = (project is null ? state.AllBuilds() : state.Builds(project)).Select(b => Summary(b)),
        }));

        group.MapGet("/builds/{id}", (string id, HttpRequest request, DepotState state) =>
            Show(state, state.FindBuild(id) ?? throw DepotErrors.NotFound("build", id), request));

        group.MapGet("/shared-builds/{shareId}", (string shareId, HttpRequest request, DepotState state) =>
            Show(state, state.FindSharedBuild(shareId) ?? throw DepotErrors.NotFound("shared build", shareId), request));

        group.MapPost("/builds/{id}/cancel", (string id, DepotState state) => Results.Ok(Summary(state.CancelBuild(id))));
    }

    private static IResult Show(DepotState state, Build build, HttpRequest request)
    {
        var detail = Detail(state, build);
        return request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.Ordinal) == true)
            ? HtmlPage.Content(Page(state, build))
            : Results.Ok(detail);
    }

    private static object Summary(Build build) => new
    {
        id = build.Id,
        project = build.ProjectId,
        organization = build.OrganizationId,
        origin = build.Origin.ToString().ToLowerInvariant(),
        status = build.State.ToString().ToLowerInvariant(),
        error = build.Error,
        createdAt = build.CreatedAt,
        startedAt = build.StartedAt,
        finishedAt = build.FinishedAt,
        cancelsAt = build.CancelsAt,
        lastHealthAt = build.LastHealthAt,
        shared = build.ShareId is not null,
    };

    private static object Detail(DepotState state, Build build)
    {
        var progress = state.Progress(build.Id);
        return new
        {
            build = Summary(build),
            targets = build.Targets,
            steps = progress.Steps().Select(s => new
            {
                digest = s.Digest,
                name = s.Name,
                cached = s.Cached,
                startedAt = s.Started,
                completedAt = s.Completed,
                error = s.Error,
                logs = progress.Logs(s.Digest)?.Select(l => l.Text),
            }),
            dockerfiles = state.Dockerfiles(build.Id),
            pushes = state.Pushes(build.Id),
        };
    }

    private static string Page(DepotState state, Build build)
    {
        var html = new StringBuilder();
        html.Append($"<!doctype html><meta charset=\"utf-8\"><title>Build {E(build.Id)}</title><h1>Build {E(build.Id)}</h1>");
        html.Append($"<p>Project {E(build.ProjectId)} · {E(build.State.ToString().ToLowerInvariant())} · created {build.CreatedAt:u}");
        if (build.Error is { Length: > 0 } error)
        {
            html.Append($"<p><strong>Error:</strong> <code>{E(error)}</code>");
        }

        html.Append("<h2>Steps</h2><ol>");
        var progress = state.Progress(build.Id);
        foreach (var step in progress.Steps())
        {
            html.Append($"<li><code>{E(step.Name)}</code>{(step.Cached ? " CACHED" : "")}{(step.Error is { Length: > 0 } e ? $" <strong>{E(e)}</strong>" : "")}");
            if (progress.Logs(step.Digest) is { Count: > 0 } logs)
            {
                html.Append("<pre>").AppendJoin('\n', logs.Select(l => E(l.Text))).Append("</pre>");
            }
        }

        html.Append("</ol>");
        foreach (var dockerfile in state.Dockerfiles(build.Id))
        {
            html.Append($"<h2>{E(dockerfile.Filename)}</h2><pre>{E(dockerfile.Contents)}</pre>");
        }

        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
