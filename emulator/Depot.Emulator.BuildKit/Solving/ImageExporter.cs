using System.Text;
using System.Text.Json;
using Depot.Emulator.BuildKit.Images;
using Depot.Emulator.BuildKit.Session;
using Grpc.Core;
using Moby.BuildKit.V1;

namespace Depot.Emulator.BuildKit.Solving;

/// <summary>
/// The <c>image</c> exporter: writes the built stage as an image and, with <c>push=true</c>, pushes it to every
/// name, with the credentials the client's session gives for each registry host.
/// </summary>
internal sealed class ImageExporter(RegistryPusher pusher, ClientSessions sessions, IBuildKitHost host, TimeProvider clock)
{
    public async Task<SolveResponse> ExportAsync(SolveJob job, SolveRequest request, FrontendResult? result, CancellationToken cancellationToken)
    {
        var (type, attrs) = Exporter(request);
        var response = new SolveResponse();
        if (type.Length == 0)
        {
            return response;
        }

        if (type != "image")
        {
            throw new RpcException(new Status(StatusCode.Unimplemented,
                $"exporter \"{type}\" is not supported by the emulator's BuildKit: export with --push or --save (the image exporter)"));
        }

        var image = result?.Image(Flag(attrs, "oci-mediatypes"))
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "the build returned no image to export"));
        var names = attrs.GetValueOrDefault("name")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var progress = new Progress(job, host, clock);
        var vertex = progress.Start(Dockerfiles.DockerfileInterpreter.Digest($"export\n{job.Ref}"), "exporting to image");
        vertex.Status("exporting layers");
        vertex.Status($"exporting manifest {image.Manifest.Digest}");
        vertex.Status($"exporting config {image.Config.Digest}");
        foreach (var name in names)
        {
            vertex.Status($"naming to {name}");
        }

        if (Flag(attrs, "push"))
        {
            if (names.Length == 0)
            {
                vertex.Complete("push needs a name");
                throw new RpcException(new Status(StatusCode.InvalidArgument, "failed to push: the image exporter needs name= to push"));
            }

            ClientSession session;
            try
            {
                session = await sessions.WaitAsync(request.Session, TimeSpan.FromSeconds(10), cancellationToken);
            }
            catch (IOException e)
            {
                vertex.Complete(e.Message);
                throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
            }

            foreach (var name in names)
            {
                vertex.Status("pushing layers");
                try
                {
                    await pusher.PushAsync(image, name, host => session.CredentialsAsync(host, cancellationToken),
                        Flag(attrs, "registry.insecure"), cancellationToken);
                }
                catch (PushException e)
                {
                    vertex.Complete(e.Message);
                    throw new RpcException(new Status(StatusCode.Unknown, e.Message));
                }

                vertex.Status($"pushing manifest for {name}@{image.Manifest.Digest}");
            }
        }

        vertex.Complete();
        response.ExporterResponse["containerimage.digest"] = image.Manifest.Digest;
        response.ExporterResponse["containerimage.config.digest"] = image.Config.Digest;
        response.ExporterResponse["containerimage.descriptor"] =
            Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(image.Manifest.Descriptor()));
        if (names.Length > 0)
        {
            response.ExporterResponse["image.name"] = string.Join(',', names);
        }

        return response;
    }

    /// <summary>The one exporter: fields 3 and 4, or the first of the newer list in field 13.</summary>
    private static (string Type, IReadOnlyDictionary<string, string> Attrs) Exporter(SolveRequest request) =>
        request.Exporter.Length > 0 || request.Exporters.Count == 0
            ? (request.Exporter, request.ExporterAttrs)
            : (request.Exporters[0].Type, request.Exporters[0].Attrs);

    private static bool Flag(IReadOnlyDictionary<string, string> attrs, string key) =>
        attrs.TryGetValue(key, out var value) && bool.TryParse(value, out var on) && on;
}
