using System.Globalization;
using Depot.Emulator.Domain.Registry;

namespace Depot.Emulator.OciRegistry;

/// <summary>Blob uploads: monolithic (POST with a digest, or POST then PUT), chunked (PATCH), and cross-repository mount.</summary>
internal static class UploadHandlers
{
    public static async Task Start(RegistryRequest request)
    {
        var query = request.Http.Request.Query;
        if (query["mount"] is { Count: > 0 } mount && query["from"] is { Count: > 0 } from && from.ToString().Length > 0)
        {
            var mounted = Digest.Parse(mount.ToString());
            var source = RegistryRepository.FromName(from.ToString(), RegistryEndpoints.HostOrganization(request.Http, request.Options));
            // A source the caller may not pull from is treated as one without the blob: the client uploads it instead.
            if (request.Granted.Contains(new AccessRecord(from.ToString(), RegistryRoutes.Pull)) &&
                request.Storage.Mount(request.Repo.Name, source.Name, mounted) is not null)
            {
                Created(request, mounted);
                return;
            }
        }

        // Checked before a session exists, so a bad digest leaves nothing behind.
        Digest? single = query["digest"] is { Count: > 0 } monolithic ? Digest.Parse(monolithic.ToString()) : null;
        var session = request.Storage.StartUpload(request.Repo.Name);
        if (single is { } digest)
        {
            request.AllowLargeBody();
            await request.Storage.AppendAsync(session, request.Http.Request.BodyReader, null, request.Http.RequestAborted);
            await request.Storage.CompleteUploadAsync(session, digest, request.Http.RequestAborted);
            Created(request, digest);
            return;
        }

        InProgress(request, session, StatusCodes.Status202Accepted);
    }

    public static Task Status(RegistryRequest request)
    {
        InProgress(request, Session(request), StatusCodes.Status204NoContent);
        return Task.CompletedTask;
    }

    public static async Task Patch(RegistryRequest request)
    {
        var session = Session(request);
        request.AllowLargeBody();
        await request.Storage.AppendAsync(session, request.Http.Request.BodyReader, ChunkStart(request), request.Http.RequestAborted);
        InProgress(request, session, StatusCodes.Status202Accepted);
    }

    public static async Task Complete(RegistryRequest request)
    {
        var digestText = request.Http.Request.Query["digest"].ToString();
        if (digestText.Length == 0)
        {
            throw new RegistryException(RegistryErrors.DigestInvalid, "finishing an upload needs ?digest=<digest>");
        }

        var digest = Digest.Parse(digestText);
        var session = Session(request);
        request.AllowLargeBody();
        await request.Storage.AppendAsync(session, request.Http.Request.BodyReader, ChunkStart(request), request.Http.RequestAborted);
        await request.Storage.CompleteUploadAsync(session, digest, request.Http.RequestAborted);
        Created(request, digest);
    }

    public static Task Cancel(RegistryRequest request)
    {
        request.Storage.CancelUpload(Session(request));
        request.Http.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static UploadSession Session(RegistryRequest request) => request.Storage.FindUpload(request.Repo.Name, request.Value("id"));

    /// <summary>The first byte a chunk's <c>Content-Range: &lt;start&gt;-&lt;end&gt;</c> says it carries, checked against its length.</summary>
    private static long? ChunkStart(RegistryRequest request)
    {
        var header = request.Http.Request.Headers.ContentRange.ToString();
        if (header.Length == 0)
        {
            return null;
        }

        var text = header.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase) ? header[6..].Split('/')[0] : header;
        var dash = text.IndexOf('-');
        if (dash <= 0 || !long.TryParse(text[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ||
            !long.TryParse(text[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var end) || end < start)
        {
            throw new RegistryException(RegistryErrors.BlobUploadOutOfOrder, $"Content-Range \"{header}\" is not <start>-<end>");
        }

        if (request.Http.Request.ContentLength is { } length && length != end - start + 1)
        {
            throw new RegistryException(RegistryErrors.SizeInvalid, $"Content-Range covers {end - start + 1} bytes but Content-Length is {length}");
        }

        return start;
    }

    private static void InProgress(RegistryRequest request, UploadSession session, int status)
    {
        request.Http.Response.StatusCode = status;
        request.Headers.Location = request.Url($"blobs/uploads/{session.Id}");
        request.Headers.Range = $"0-{Math.Max(session.Offset - 1, 0)}";
        request.Headers["Docker-Upload-UUID"] = session.Id;
        request.Http.Response.ContentLength = 0;
    }

    private static void Created(RegistryRequest request, Digest digest)
    {
        request.Http.Response.StatusCode = StatusCodes.Status201Created;
        request.Headers.Location = request.Url($"blobs/{digest}");
        request.Headers["Docker-Content-Digest"] = digest.ToString();
        request.Http.Response.ContentLength = 0;
    }
}
