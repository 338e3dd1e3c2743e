using Google.Protobuf.WellKnownTypes;
using Google.Protobuf.Reflection;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Depot.Cache.V1;
using Depot.Emulator.Auth;
using Depot.Emulator.Connect;
using Depot.Emulator.Domain.Cache;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Cache;

/// <summary>
/// <c>depot.cache.v1.CacheService</c>: entries created in parts through presigned URLs the emulator serves itself, then
/// finalized; looked up by key, by prefix or as a bundle's segment; deleted and listed. Every call acts for one
/// organization: the one <c>x-depot-org</c> names, or the token's only one.
/// </summary>
internal sealed class CacheServiceHandler(CacheStore store, CacheTickets tickets) : IConnectService
{
    private const int MaxKeysPerCheck = 1000;
    private const int MaxUrlsPerFetch = 100;
    private static readonly ServiceDescriptor Service = CacheReflection.Descriptor.FindTypeByName<ServiceDescriptor>("CacheService");

    public void Bind(ConnectServiceBinder binder) => binder
        .Unary<CreateEntryRequest, CreateEntryResponse>(Service.FindMethodByName("CreateEntry"), CreateEntry)
        .Unary<FetchMorePresignedURLsRequest, FetchMorePresignedURLsResponse>(Service.FindMethodByName("FetchMorePresignedURLs"), FetchMorePresignedUrls)
        .Unary<FinalizeEntryRequest, FinalizeEntryResponse>(Service.FindMethodByName("FinalizeEntry"), FinalizeEntry)
        .Unary<GetDownloadURLRequest, GetDownloadURLResponse>(Service.FindMethodByName("GetDownloadURL"), GetDownloadUrl)
        .Unary<GetDownloadURLByPrefixRequest, GetDownloadURLByPrefixResponse>(Service.FindMethodByName("GetDownloadURLByPrefix"), GetDownloadUrlByPrefix)
        .Unary<CheckEntriesRequest, CheckEntriesResponse>(Service.FindMethodByName("CheckEntries"), CheckEntries)
        .Unary<GetBundleRequest, GetBundleResponse>(Service.FindMethodByName("GetBundle"), GetBundle)
        .Unary<DeleteEntryRequest, DeleteEntryResponse>(Service.FindMethodByName("DeleteEntry"), DeleteEntry)
        .Unary<ListEntriesRequest, ListEntriesResponse>(Service.FindMethodByName("ListEntries"), ListEntries);

    private static string Organization(ConnectCallContext context) =>
        context.Access().RequireActingOrganization(context.DepotOrg(), "the x-depot-org header").Id;

    /// <summary>Content it already has answers <c>already_exists</c>, so the client skips the upload.</summary>
    private Task<CreateEntryResponse> CreateEntry(CreateEntryRequest request, ConnectCallContext context)
    {
        var org = Organization(context);
        if (store.Find(org, request.EntryType, request.Key) is not null)
        {
            throw DepotErrors.AlreadyExists($"cache entry {request.Key} ({request.EntryType}) exists");
        }

        if (request.FailIfUploadInProgress && store.UploadInProgress(org, request.EntryType, request.Key))
        {
            throw DepotErrors.AlreadyExists($"cache entry {request.Key} ({request.EntryType}) is being uploaded");
        }

        var upload = store.StartUpload(org, request.EntryType, request.Key);
        return Task.FromResult(new CreateEntryResponse
        {
            EntryId = upload.Id,
            UploadPartUrls = { tickets.UploadPart(context.HttpContext, upload.Id, 1) },
        });
    }

    private Task<FetchMorePresignedURLsResponse> FetchMorePresignedUrls(FetchMorePresignedURLsRequest request, ConnectCallContext context)
    {
        var upload = store.FindUpload(request.EntryId, Organization(context)) ?? throw DepotErrors.NotFound("cache entry upload", request.EntryId);
        if (request.NextPart < 1 || request.Count < 1 || request.Count > MaxUrlsPerFetch ||
            (long)request.NextPart + request.Count - 1 > store.Options.MaxPartsPerUpload)
        {
            throw DepotErrors.Invalid($"next_part starts at 1 and count is 1 to {MaxUrlsPerFetch}, up to part {store.Options.MaxPartsPerUpload}");
        }

        var response = new FetchMorePresignedURLsResponse();
        response.UploadPartUrls.Add(Enumerable.Range(request.NextPart, request.Count).Select(n => tickets.UploadPart(context.HttpContext, upload.Id, n)));
        return Task.FromResult(response);
    }

    private async Task<FinalizeEntryResponse> FinalizeEntry(FinalizeEntryRequest request, ConnectCallContext context)
    {
        var entry = await store.FinalizeAsync(Organization(context), request.EntryId, request.SizeBytes, request.UploadPartEtags,
            request.Segments.Select(s => new CacheSegment(s.Subkey, s.Offset, s.Size)).ToList(),
            request.Children.Select(c => new CacheChild(c.Key, c.HasName ? c.Name : null)).ToList(),
            request.HasName ? request.Name : null, context.CancellationToken);
        return new FinalizeEntryResponse { CreatedAt = Timestamp.FromDateTimeOffset(entry.CreatedAt), Id = request.EntryId };
    }

    private Task<GetDownloadURLResponse> GetDownloadUrl(GetDownloadURLRequest request, ConnectCallContext context)
    {
        var entry = store.Hit(Organization(context), request.EntryType, request.Key) ?? throw DepotErrors.NotFound("cache entry", request.Key);
        var response = new GetDownloadURLResponse { Url = tickets.Download(context.HttpContext, entry.Digest.Hex), SizeBytes = entry.Size };
        if (entry.Name is { } name)
        {
            response.Name = name;
        }

        return Task.FromResult(response);
    }

    /// <summary><c>key_prefixes</c> holds one prefix, or several separated by commas or newlines, tried in order.</summary>
    private Task<GetDownloadURLByPrefixResponse> GetDownloadUrlByPrefix(GetDownloadURLByPrefixRequest request, ConnectCallContext context)
    {
        var prefixes = request.KeyPrefixes.Split([',', '\n'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (prefixes.Length == 0)
        {
            throw DepotErrors.Required("key_prefixes");
        }

        var entry = store.HitByPrefix(Organization(context), request.EntryType, prefixes.Take(MaxKeysPerCheck))
            ?? throw DepotErrors.NotFound("cache entry with prefix", request.KeyPrefixes);
        var response = new GetDownloadURLByPrefixResponse
        {
            Url = tickets.Download(context.HttpContext, entry.Digest.Hex),
            SizeBytes = entry.Size,
            MatchedKey = entry.Key,
        };
        if (entry.Name is { } name)
        {
            response.Name = name;
        }

        return Task.FromResult(response);
    }

    private Task<CheckEntriesResponse> CheckEntries(CheckEntriesRequest request, ConnectCallContext context)
    {
        if (request.Keys.Count > MaxKeysPerCheck)
        {
            throw DepotErrors.Invalid($"at most {MaxKeysPerCheck} keys per call");
        }

        var org = Organization(context);
        var response = new CheckEntriesResponse();
        response.Entries.Add(request.Keys.Select(k => new CheckEntryResult { Key = k, Found = k.Length > 0 && store.Find(org, request.EntryType, k) is not null }));
        return Task.FromResult(response);
    }

    private Task<GetBundleResponse> GetBundle(GetBundleRequest request, ConnectCallContext context)
    {
        if (string.IsNullOrEmpty(request.Subkey))
        {
            throw DepotErrors.Required("subkey");
        }

        var entry = store.HitBundle(Organization(context), request.EntryType, request.Subkey)
            ?? throw DepotErrors.NotFound("cache bundle with segment", request.Subkey);
        var response = new GetBundleResponse { Url = tickets.Download(context.HttpContext, entry.Digest.Hex), Key = entry.Key, Size = entry.Size };
        response.Segments.Add(entry.Segments.Select(s => new Segment { Subkey = s.Subkey, Offset = s.Offset, Size = s.Size }));
        return Task.FromResult(response);
    }

    private Task<DeleteEntryResponse> DeleteEntry(DeleteEntryRequest request, ConnectCallContext context) =>
        store.Delete(Organization(context), request.EntryType, request.Key)
            ? Task.FromResult(new DeleteEntryResponse())
            : throw DepotErrors.NotFound("cache entry", request.Key);

    private Task<ListEntriesResponse> ListEntries(ListEntriesRequest request, ConnectCallContext context)
    {
        if (string.IsNullOrEmpty(request.EntryType))
        {
            throw DepotErrors.Required("entry_type");
        }

        var (entries, next) = store.List(Organization(context), request.EntryType, request.KeyPrefix, request.PageSize, request.PageToken);
        var response = new ListEntriesResponse { NextPageToken = next };
        response.EntryIds.Add(entries.Select(e =>
        {
            var item = new ListEntriesResponse.Types.Entry { Key = e.Key, SizeBytes = e.Size, CreatedAt = Timestamp.FromDateTimeOffset(e.CreatedAt) };
            if (e.Name is { } name)
            {
                item.Name = name;
            }

            return item;
        }));
        return Task.FromResult(response);
    }
}
