using System.Text;
using Depot.Emulator.BuildKit.Dockerfiles;
using Depot.Emulator.BuildKit.Session;
using Grpc.Core;

namespace Depot.Emulator.BuildKit.Solving;

/// <summary>
/// The <c>dockerfile.v0</c> frontend: reads the Dockerfile and the build context from the client's session,
/// shows the steps BuildKit would show, and interprets them. A rebuild of the same inputs shows CACHED steps.
/// </summary>
internal sealed class DockerfileFrontend(ClientSessions sessions, BuildCache cache, IBuildKitHost host, BuildKitOptions options, TimeProvider clock)
{
    public const string Name = "dockerfile.v0";

    private static readonly TimeSpan SessionWait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan LoggedStepTime = TimeSpan.FromMilliseconds(150);

    private static readonly TimeSpan DisplayGrace = TimeSpan.FromMilliseconds(200);

    public async Task<FrontendResult> SolveAsync(SolveJob job, IReadOnlyDictionary<string, string> opts, CancellationToken cancellationToken)
    {
        ClientSession session;
        try
        {
            var control = await job.Registered.WaitAsync(SessionWait, cancellationToken);
            session = await sessions.WaitAsync(control.Session, SessionWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"no build with ref {job.Ref}: call Control/Solve with this ref first"));
        }
        catch (IOException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }

        var progress = new Progress(job, host, clock);
        var filename = opts.GetValueOrDefault("filename") is { Length: > 0 } f ? f : "Dockerfile";
        var scope = job.Claim?.CacheScope ?? BuildCache.SharedScope;

        var load = progress.Start(Internal("dockerfile", filename), $"[internal] load build definition from {filename}");
        var dockerfileDir = opts.GetValueOrDefault("dockerfilekey") ?? "dockerfile";
        var definition = await Fetch(session, new SyncRequest(dockerfileDir, filename), load, cancellationToken);
        var entry = definition.Files.Find(filename);
        if (entry is null && filename == "Dockerfile")
        {
            // BuildKit falls back to the lower-case name.
            definition = await Fetch(session, new SyncRequest(dockerfileDir, "dockerfile"), load, cancellationToken);
            entry = definition.Files.Find("dockerfile");
        }

        if (entry is null || entry.IsDirectory)
        {
            throw Fail(load, $"failed to read dockerfile: open {filename}: no such file or directory");
        }

        load.Status("transferring dockerfile: " + Bytes(definition.Bytes));
        load.Complete();
        var text = Encoding.UTF8.GetString(entry.Data);
        BuildPlan plan;
        try
        {
            plan = BuildPlan.Create(DockerfileParser.Parse(text), PlanOptions(opts, filename));
        }
        catch (DockerfileParseException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }

        if (job.Claim is { } claim)
        {
            host.DockerfileRead(claim, filename, opts.GetValueOrDefault("target") ?? "", text);
        }

        foreach (var reference in plan.ExternalBases.Values.Distinct())
        {
            progress.Start(Internal("metadata", reference), $"[internal] load metadata for {reference}").Complete();
        }

        var ignore = progress.Start(Internal("dockerignore", scope), "[internal] load .dockerignore");
        var ignored = await Fetch(session, new SyncRequest("context", ".dockerignore"), ignore, cancellationToken);
        ignore.Status("transferring context: " + Bytes(ignored.Bytes));
        ignore.Complete();
        var excludes = ignored.Files.Find(".dockerignore") is { IsDirectory: false } file
            ? IgnorePatterns.Parse(Encoding.UTF8.GetString(file.Data))
            : IgnorePatterns.None;

        var context = new VirtualFs();
        if (plan.UsesContext)
        {
            var transfer = progress.Start(Internal("context", scope), "[internal] load build context");
            var synced = await Fetch(session, new SyncRequest("context", Excludes: excludes), transfer, cancellationToken);
            transfer.Status("transferring context: " + Bytes(synced.Bytes));
            transfer.Complete();
            context = synced.Files;
        }

        var interpretation = DockerfileInterpreter.Execute(plan, context, opts.GetValueOrDefault("build-arg:" + BuildArgs.Fail));
        await ShowSteps(progress, interpretation, scope, opts, cancellationToken);

        // buildx closes a target's progress display when its build function returns; without a moment's grace the
        // last steps of a fast build (in a bake, say) never show.
        await Task.Delay(DisplayGrace, clock, cancellationToken);
        var result = new FrontendResult(Guid.NewGuid().ToString("N"), plan, interpretation, opts);
        job.Results[result.RefId] = result;
        return result;
    }

    private async Task ShowSteps(Progress progress, Interpretation interpretation, string scope, IReadOnlyDictionary<string, string> opts,
        CancellationToken cancellationToken)
    {
        var noCache = opts.ContainsKey("no-cache");
        var cached = interpretation.Steps.Select(s => s.Error is null && !noCache && cache.Contains(scope, s.Digest)).ToList();
        TimeSpan delay;
        try
        {
            delay = BuildArgs.ParseDuration(opts.GetValueOrDefault("build-arg:" + BuildArgs.Duration)) is { } total
                ? total / Math.Max(1, cached.Count(c => !c))
                : options.StepDelay;
        }
        catch (FormatException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }

        for (var i = 0; i < interpretation.Steps.Count; i++)
        {
            var step = interpretation.Steps[i];
            var name = step.Step.Instruction.Keyword == "FROM" ? $"{step.Step.Name}@{step.Digest}" : step.Step.Name;
            var vertex = progress.Start(step.Digest, name, cached[i]);
            if (cached[i])
            {
                continue;
            }

            try
            {
                // Progress displays number a vertex when they first print it; output that comes sooner shows as #0.
                await Task.Delay(step.Logs.Count > 0 && delay < LoggedStepTime ? LoggedStepTime : delay, clock, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                vertex.Complete("context canceled");
                throw;
            }

            foreach (var log in step.Logs)
            {
                vertex.Log(log);
            }

            if (step.Error is not null)
            {
                throw Fail(vertex, step.Error);
            }

            vertex.Complete();
        }

        cache.Add(scope, interpretation.Steps.Select(s => s.Digest));
    }

    private static async Task<SyncedDirectory> Fetch(ClientSession session, SyncRequest request, VertexProgress vertex, CancellationToken cancellationToken)
    {
        try
        {
            return await session.FetchAsync(request, cancellationToken);
        }
        catch (IOException e)
        {
            throw Fail(vertex, e.Message);
        }
    }

    private static PlanOptions PlanOptions(IReadOnlyDictionary<string, string> opts, string filename)
    {
        var args = opts.Where(o => o.Key.StartsWith("build-arg:", StringComparison.Ordinal))
            .ToDictionary(o => o.Key["build-arg:".Length..], o => o.Value, StringComparer.Ordinal);
        var platform = (opts.GetValueOrDefault("platform") ?? "linux/amd64").Split(',')[0].Split('/');
        return new PlanOptions(filename, opts.GetValueOrDefault("target"), args, platform[0], platform.Length > 1 ? platform[1] : "amd64");
    }

    private static RpcException Fail(VertexProgress vertex, string message)
    {
        vertex.Complete(message);
        return new RpcException(new Status(StatusCode.Unknown, message));
    }

    private static string Internal(string kind, string key) => DockerfileInterpreter.Digest($"internal\n{kind}\n{key}\n{Guid.NewGuid()}");

    private static string Bytes(long count) => count < 1024 ? $"{count}B" : $"{count / 1024.0:0.##}kB";
}
