using System.Net;
using System.Text;
using Depot.Cache.V1;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Cache;

/// <summary><c>depot.cache.v1.CacheService</c> through a Connect client, with its presigned URLs followed as the CLI does.</summary>
public class CacheServiceTests : IAsyncLifetime
{
    private const string Service = "depot.cache.v1.CacheService/";
    private static readonly string Org = TestSeeds.Secret(TokenType.Organization);
    private InMemoryEmulator _emulator = null!;

    public async ValueTask InitializeAsync() => _emulator = await InMemoryEmulator.StartAsync();

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    private Task<ConnectResult<T>> Call<T>(string method, Google.Protobuf.IMessage request, string? token = null)
        where T : Google.Protobuf.IMessage<T>, new() => _emulator.Connect.CallAsync<T>(Service + method, request, token ?? Org);

    /// <summary>CreateEntry, PUT each part to its URL, FinalizeEntry with the ETags: the CLI's upload.</summary>
    private async Task Upload(string key, string[] parts, params Segment[] segments)
    {
        var created = (await Call<CreateEntryResponse>("CreateEntry", new CreateEntryRequest { EntryType = "generic", Key = key })).Ok;
        var urls = created.UploadPartUrls.ToList();
        if (parts.Length > 1)
        {
            urls.AddRange((await Call<FetchMorePresignedURLsResponse>("FetchMorePresignedURLs",
                new FetchMorePresignedURLsRequest { EntryId = created.EntryId, NextPart = 2, Count = parts.Length - 1 })).Ok.UploadPartUrls);
        }

        var etags = new List<string>();
        for (var i = 0; i < parts.Length; i++)
        {
            var put = await _emulator.Http.PutAsync(urls[i], new StringContent(parts[i]));
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            etags.Add(put.Headers.ETag!.Tag.Trim('"'));
        }

        var finalize = new FinalizeEntryRequest { EntryId = created.EntryId, SizeBytes = parts.Sum(p => Encoding.UTF8.GetByteCount(p)) };
        finalize.UploadPartEtags.Add(etags);
        finalize.Segments.Add(segments);
        Assert.NotNull((await Call<FinalizeEntryResponse>("FinalizeEntry", finalize)).Ok.CreatedAt);
    }

    [Fact]
    public async Task An_entry_uploaded_in_parts_downloads_whole_and_content_it_has_already_exists()
    {
        await Upload("patch-1", ["hello ", "world"]);

        var download = (await Call<GetDownloadURLResponse>("GetDownloadURL", new GetDownloadURLRequest { EntryType = "generic", Key = "patch-1" })).Ok;
        Assert.Equal(11, download.SizeBytes);
        Assert.Equal("hello world", await _emulator.Http.GetStringAsync(download.Url));

        var again = await Call<CreateEntryResponse>("CreateEntry", new CreateEntryRequest { EntryType = "generic", Key = "patch-1" });
        Assert.Equal("already_exists", again.Code);

        var check = new CheckEntriesRequest { EntryType = "generic", Keys = { "patch-1", "patch-2" } };
        Assert.Equal([true, false], (await Call<CheckEntriesResponse>("CheckEntries", check)).Ok.Entries.Select(e => e.Found));
    }

    [Fact]
    public async Task A_presigned_url_is_refused_when_tampered_with()
    {
        var created = (await Call<CreateEntryResponse>("CreateEntry", new CreateEntryRequest { EntryType = "generic", Key = "k" })).Ok;
        var tampered = created.UploadPartUrls[0].Replace("signature=", "signature=0", StringComparison.Ordinal);
        var put = await _emulator.Http.PutAsync(tampered, new StringContent("x"));
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Contains("signature", await put.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Finalize_with_a_wrong_size_or_etag_stores_nothing()
    {
        var created = (await Call<CreateEntryResponse>("CreateEntry", new CreateEntryRequest { EntryType = "generic", Key = "k" })).Ok;
        var put = await _emulator.Http.PutAsync(created.UploadPartUrls[0], new StringContent("abc"));
        var etag = put.Headers.ETag!.Tag;
        var wrongSize = await Call<FinalizeEntryResponse>("FinalizeEntry", new FinalizeEntryRequest { EntryId = created.EntryId, SizeBytes = 4, UploadPartEtags = { etag } });
        Assert.Equal("invalid_argument", wrongSize.Code);
        var wrongTag = await Call<FinalizeEntryResponse>("FinalizeEntry", new FinalizeEntryRequest { EntryId = created.EntryId, SizeBytes = 3, UploadPartEtags = { "nope" } });
        Assert.Equal("invalid_argument", wrongTag.Code);
        var missing = await Call<GetDownloadURLResponse>("GetDownloadURL", new GetDownloadURLRequest { EntryType = "generic", Key = "k" });
        Assert.Equal("not_found", missing.Code);
        (await Call<FinalizeEntryResponse>("FinalizeEntry", new FinalizeEntryRequest { EntryId = created.EntryId, SizeBytes = 3, UploadPartEtags = { etag } })).Ok.ToString();
    }

    [Fact]
    public async Task Bundles_prefixes_listing_and_delete()
    {
        await Upload("bundle-1", ["aaabbb"], new Segment { Subkey = "a", Offset = 0, Size = 3 }, new Segment { Subkey = "b", Offset = 3, Size = 3 });
        await Upload("cache-v1-linux", ["x"]);
        await Upload("cache-v2-linux", ["yy"]);

        var bundle = (await Call<GetBundleResponse>("GetBundle", new GetBundleRequest { EntryType = "generic", Subkey = "b" })).Ok;
        Assert.Equal("bundle-1", bundle.Key);
        Assert.Equal(3, bundle.Segments[1].Offset);

        var byPrefix = (await Call<GetDownloadURLByPrefixResponse>("GetDownloadURLByPrefix",
            new GetDownloadURLByPrefixRequest { EntryType = "generic", KeyPrefixes = "cache-v2-" })).Ok;
        Assert.Equal("cache-v2-linux", byPrefix.MatchedKey);
        Assert.Equal("yy", await _emulator.Http.GetStringAsync(byPrefix.Url));

        var first = (await Call<ListEntriesResponse>("ListEntries", new ListEntriesRequest { EntryType = "generic", KeyPrefix = "cache-", PageSize = 1 })).Ok;
        Assert.Equal("cache-v1-linux", Assert.Single(first.EntryIds).Key);
        var second = (await Call<ListEntriesResponse>("ListEntries",
            new ListEntriesRequest { EntryType = "generic", KeyPrefix = "cache-", PageSize = 1, PageToken = first.NextPageToken })).Ok;
        Assert.Equal("cache-v2-linux", Assert.Single(second.EntryIds).Key);
        Assert.Equal("", second.NextPageToken);

        (await Call<DeleteEntryResponse>("DeleteEntry", new DeleteEntryRequest { EntryType = "generic", Key = "cache-v1-linux" })).Ok.ToString();
        Assert.Equal("not_found", (await Call<DeleteEntryResponse>("DeleteEntry", new DeleteEntryRequest { EntryType = "generic", Key = "cache-v1-linux" })).Code);
    }

    [Fact]
    public async Task A_project_token_is_refused_and_a_two_organization_user_must_name_one()
    {
        var refused = await Call<CreateEntryResponse>("CreateEntry", new CreateEntryRequest { EntryType = "generic", Key = "k" }, TestSeeds.Secret(TokenType.Project));
        Assert.Equal("permission_denied", refused.Code);
        Assert.Contains("Cache", refused.Message);

        var user = await Call<CreateEntryResponse>("CreateEntry", new CreateEntryRequest { EntryType = "generic", Key = "k" }, TestSeeds.Secret(TokenType.User));
        Assert.Equal("permission_denied", user.Code);
        Assert.Contains("x-depot-org", user.Message);

        var named = await _emulator.Connect.CallAsync<CreateEntryResponse>(Service + "CreateEntry", new CreateEntryRequest { EntryType = "generic", Key = "k" },
            TestSeeds.Secret(TokenType.User), new Dictionary<string, string> { ["x-depot-org"] = "org-globex" });
        Assert.NotEmpty(named.Ok.UploadPartUrls);
    }
}
