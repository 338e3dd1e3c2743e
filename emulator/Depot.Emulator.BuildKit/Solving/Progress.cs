using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Moby.BuildKit.V1;

namespace Depot.Emulator.BuildKit.Solving;

/// <summary>Publishes vertices, their sub-statuses and their logs as a BuildKit daemon reports them, to the client and the host.</summary>
internal sealed class Progress(SolveJob job, IBuildKitHost host, TimeProvider clock)
{
    public VertexProgress Start(string digest, string name, bool cached = false)
    {
        var vertex = new Vertex { Digest = digest, Name = name, Started = Now(), Cached = cached };
        if (cached)
        {
            vertex.Completed = vertex.Started;
        }

        Publish(new StatusResponse { Vertexes = { vertex } });
        return new VertexProgress(this, vertex);
    }

    internal Timestamp Now() => Timestamp.FromDateTimeOffset(clock.GetUtcNow());

    internal void Publish(StatusResponse batch)
    {
        job.Feed.Publish(batch);
        if (job.Claim is { } claim)
        {
            host.ProgressPublished(claim, batch);
        }
    }
}

internal sealed class VertexProgress(Progress progress, Vertex vertex)
{
    public string Digest => vertex.Digest;

    /// <summary>A finished sub-status such as <c>transferring context: 42B</c>.</summary>
    public void Status(string id, long current = 0, long total = 0)
    {
        var now = progress.Now();
        progress.Publish(new StatusResponse
        {
            Statuses =
            {
                new VertexStatus
                {
                    ID = id,
                    Vertex = vertex.Digest,
                    Current = current,
                    Total = total,
                    Timestamp = now,
                    Started = now,
                    Completed = now,
                },
            },
        });
    }

    public void Log(string line, int stream = 1) =>
        progress.Publish(new StatusResponse
        {
            Vertexes = { vertex },
            Logs = { new VertexLog { Vertex = vertex.Digest, Stream = stream, Timestamp = progress.Now(), Msg = ByteString.CopyFromUtf8(line + "\n") } },
        });

    public void Complete(string? error = null)
    {
        var done = vertex.Clone();
        done.Completed = progress.Now();
        if (error is not null)
        {
            done.Error = error;
        }

        progress.Publish(new StatusResponse { Vertexes = { done } });
    }
}
