using Depot.Builds.V1;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Registry;
using Depot.Emulator.Services;
using Google.Protobuf.WellKnownTypes;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Depot.Emulator.OciRegistry;

/// <summary><c>depot.build.v1.RegistryService</c>: a project's repository (<c>&lt;project-id&gt;:&lt;tag&gt;</c>) as images, for <c>depot image list</c> and <c>rm</c>.</summary>
internal sealed class RegistryServiceHandler(RegistryStorage storage) : IConnectService
{
    private static readonly ServiceDescriptor Service = RegistryReflection.Descriptor.FindTypeByName<ServiceDescriptor>("RegistryService");

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<ListImagesRequest, ListImagesResponse>(Service.FindMethodByName("ListImages"), ListImages)
        .Unary<DeleteImageRequest, DeleteImageResponse>(Service.FindMethodByName("DeleteImage"), DeleteImage);

    private Task<ListImagesResponse> ListImages(ListImagesRequest request, ConnectCallContext context)
    {
        var project = context.Access().RequireProject(request.ProjectId);
        storage.SweepIfDue();
        var images = storage.Images(project.Id).OrderByDescending(i => i.PushedAt).ThenBy(i => i.Tag, StringComparer.Ordinal).ToList();
        var page = Paging.Page(images, request.HasPageSize ? request.PageSize : 0, request.HasPageToken ? request.PageToken : null);
        var response = new ListImagesResponse();
        response.Images.Add(page.Items.Select(i => new Image
        {
            Tag = i.Tag,
            Digest = i.Digest.ToString(),
            PushedAt = Timestamp.FromDateTimeOffset(i.PushedAt),
            SizeBytes = (ulong)i.SizeBytes,
        }));
        if (page.NextToken is not null)
        {
            response.NextPageToken = page.NextToken;
        }

        return Task.FromResult(response);
    }

    /// <summary>Removes the tags; a manifest no tag or index needs any more goes with them. Unknown tags change nothing.</summary>
    private Task<DeleteImageResponse> DeleteImage(DeleteImageRequest request, ConnectCallContext context)
    {
        var project = context.Access().RequireProject(request.ProjectId);
        if (request.ImageTags.Count == 0)
        {
            throw DepotErrors.Required("image_tags");
        }

        var tags = storage.Tags(project.Id).ToDictionary(t => t.Tag, StringComparer.Ordinal);
        var missing = request.ImageTags.Where(t => !tags.ContainsKey(t)).Distinct().ToList();
        if (missing.Count > 0)
        {
            throw DepotErrors.NotFound("image", $"{project.Id}:{string.Join($", {project.Id}:", missing)}");
        }

        foreach (var tag in request.ImageTags.Distinct())
        {
            storage.DeleteTag(project.Id, tag);
        }

        var stillTagged = storage.Tags(project.Id).Select(t => t.Digest).ToHashSet();
        var children = storage.Index.Manifests(project.Id).SelectMany(m => m.Children.Select(c => c.Digest)).ToHashSet();
        foreach (var digest in request.ImageTags.Select(t => tags[t].Digest).Distinct())
        {
            if (!stillTagged.Contains(digest) && !children.Contains(digest))
            {
                storage.DeleteManifest(project.Id, digest);
            }
        }

        storage.CollectBytes();
        return Task.FromResult(new DeleteImageResponse());
    }
}
