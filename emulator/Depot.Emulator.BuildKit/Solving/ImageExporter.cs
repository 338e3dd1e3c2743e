using System.Text.Json;
using Depot.Emulator.BuildKit.Images;
using Depot.Emulator.BuildKit.Session;
using Grpc.Core;
using Moby.BuildKit.V1;

namespace Depot.Emulator.BuildKit.Solving;

/// <summary>
/// The <c>image</c> exporter: writes the built stage as an image and, with <c>push=true</c>, pushes it to every
/// name, with the credentials the client's session gives for each registry host. The exporters that write to the
/// client's side are <see cref="ClientExporter"/>'s.
/// </summary>
internal sealed class ImageExporter(RegistryPusher pusher, ClientSessions sessions, ClientExporter client, IBuildKitHost host, TimeProvider clock)
{
    public async Task<SolveResponse> ExportAsync(SolveJob job, SolveRequest request, FrontendResult? result, CancellationToken cancellationToken)
    {
        var response = new SolveResponse();
        if (Export.Of(request) is not { } export)
        {
            return response;
        }

        if (ClientExporter.Types.Contains(export.Type))
        {
            return await client.ExportAsync(job, request, export, result, cancellationToken);
        }

        if (export.Type != "image")
        {
            throw new RpcException(new Status(StatusCode.Unimplemented,
                $"exporter \"{export.Type}\" is not supported by the emulator's BuildKit: it exports image, local, tar, oci and docker"));
        }

        var image = result?.Image(export.Flag("oci-mediatypes") ?? false)
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, "the build returned no image to export"));
        var names = export.Names;
        var progress = new Progress(job, host, clock);
        var vertex = progress.Start(Dockerfiles.DockerfileInterpreter.Digest($"export\n{job.Ref}"), "exporting to image");
        vertex.Status("exporting layers");
        vertex.Status($"exporting manifest {image.Manifest.Digest}");
        vertex.Status($"exporting config {image.Config.Digest}");
        foreach (var name in names)
        {
            vertex.Status($"naming to {name}");
        }

        if (export.Flag("push") == true)
        {
            if (names.Count == 0)
            {
                vertex.Complete("push needs a name");
                throw new RpcException(new Status(StatusCode.InvalidArgument, "failed to push: the image exporter needs name= to push"));
            }

            var session = await SessionAsync(sessions, request, vertex, cancellationToken);
            foreach (var name in names)
            {
                vertex.Status("pushing layers");
                // The client's credentials are for the registry it named, wherever the host sends the push.
                var registry = Dockerfiles.ImageReference.Host(name);
                try
                {
                    await pusher.PushAsync(image, host.PushTarget(name), _ => session.CredentialsAsync(registry, cancellationToken),
                        export.Flag("registry.insecure") == true, cancellationToken);
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
        Describe(response, image, names);
        return response;
    }

    /// <summary>The client's session, which pushes (credentials) and client-side exports need.</summary>
    public static async Task<ClientSession> SessionAsync(ClientSessions sessions, SolveRequest request, VertexProgress vertex,
        CancellationToken cancellationToken)
    {
        try
        {
            return await sessions.WaitAsync(request.Session, TimeSpan.FromSeconds(10), cancellationToken);
        }
        catch (IOException e)
        {
            vertex.Complete(e.Message);
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
    }

    /// <summary>What the client reads back of an exported image: its digests and descriptor, and the names it got.</summary>
    public static void Describe(SolveResponse response, OciImage image, IReadOnlyList<string> names)
    {
        response.ExporterResponse["containerimage.digest"] = image.Manifest.Digest;
        response.ExporterResponse["containerimage.config.digest"] = image.Config.Digest;
        response.ExporterResponse["containerimage.descriptor"] =
            Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(image.Manifest.Descriptor()));
        if (names.Count > 0)
        {
            response.ExporterResponse["image.name"] = string.Join(',', names);
        }
    }
}
