using Depot.Emulator.BuildKit.Images;
using Depot.Emulator.BuildKit.Session;
using Grpc.Core;
using Moby.BuildKit.V1;

namespace Depot.Emulator.BuildKit.Solving;

/// <summary>
/// The exporters whose output lands on the client's side, through its session's FileSend: <c>local</c> (the
/// build's file tree, into the client's directory), <c>tar</c> (that tree as one tarball), <c>oci</c> and
/// <c>docker</c> (the image as a layout tarball, which the client writes to a file or hands to docker load).
/// </summary>
internal sealed class ClientExporter(ClientSessions sessions, IBuildKitHost host, TimeProvider clock)
{
    public static readonly IReadOnlySet<string> Types = new HashSet<string>(StringComparer.Ordinal) { "local", "tar", "oci", "docker" };

    public async Task<SolveResponse> ExportAsync(SolveJob job, SolveRequest request, Export export, FrontendResult? result,
        CancellationToken cancellationToken)
    {
        var built = result?.Interpretation.Image
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "the build returned nothing to export"));
        var progress = new Progress(job, host, clock);
        var vertex = progress.Start(Dockerfiles.DockerfileInterpreter.Digest($"export {export.Type}\n{job.Ref}"), export.Type switch
        {
            "local" => "copying files",
            "tar" => "exporting to client tarball",
            _ => $"exporting to {export.Type} image format",
        });
        var session = await ImageExporter.SessionAsync(sessions, request, vertex, cancellationToken);
        var response = new SolveResponse();
        try
        {
            switch (export.Type)
            {
                case "local":
                    await session.ExportDirectoryAsync(export.Id, built.Files, result!.Created, cancellationToken);
                    break;
                case "tar":
                    vertex.Status("sending tarball");
                    await session.ExportFileAsync(export.Id, ImageWriter.Tar(built.Files, result!.Created), cancellationToken);
                    break;
                default:
                    var image = result!.Image(export.Flag("oci-mediatypes") ?? export.Type == "oci")!;
                    vertex.Status("exporting layers");
                    vertex.Status($"exporting manifest {image.Manifest.Digest}");
                    vertex.Status($"exporting config {image.Config.Digest}");
                    vertex.Status("sending tarball");
                    var archive = export.Type == "oci"
                        ? ImageArchive.Oci(image, export.Names, result.Created)
                        : ImageArchive.Docker(image, export.Names, result.Created);
                    await session.ExportFileAsync(export.Id, archive, cancellationToken);
                    ImageExporter.Describe(response, image, export.Names);
                    break;
            }
        }
        catch (Exception e) when (e is IOException or RpcException { StatusCode: not StatusCode.Cancelled })
        {
            var message = $"failed to export to the client: {(e is RpcException rpc ? rpc.Status.Detail : e.Message)}";
            vertex.Complete(message);
            throw new RpcException(new Status(StatusCode.Unknown, message));
        }

        vertex.Complete();
        return response;
    }
}

/// <summary>One exporter the client asked for: its type and attributes, and its place in the request's list.</summary>
internal sealed record Export(int Id, string Type, IReadOnlyDictionary<string, string> Attrs)
{
    /// <summary>The image names of <c>name=</c>, comma-separated.</summary>
    public IReadOnlyList<string> Names { get; } =
        Attrs.GetValueOrDefault("name")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    public bool? Flag(string key) => Attrs.TryGetValue(key, out var value) && bool.TryParse(value, out var on) ? on : null;

    /// <summary>The one exporter: fields 3 and 4, or the first of the newer list in field 13.</summary>
    public static Export? Of(SolveRequest request) =>
        request.Exporter.Length > 0 || request.Exporters.Count == 0
            ? request.Exporter.Length > 0 ? new Export(0, request.Exporter, request.ExporterAttrs) : null
            : new Export(0, request.Exporters[0].Type, request.Exporters[0].Attrs);
}
