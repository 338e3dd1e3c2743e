using System.IO.Pipelines;
using Depot.Emulator.Domain.Identity;
using Depot.Emulator.Domain.Registry;
using Depot.Emulator.Domain.Time;

namespace Depot.Emulator.Tests.Registry;

/// <summary>What the registry's storage must do in every mode: ephemeral (the default) and under <c>--data-dir</c>.</summary>
public abstract class RegistryStorageConformance : IDisposable
{
    protected RegistryStorageConformance()
    {
        Root = Path.Combine(Path.GetTempPath(), "depot-storage-tests", Guid.NewGuid().ToString("N"));
        Storage = Open();
    }

    protected string Root { get; }

    protected EmulatorClock Clock { get; } = new(TimeProvider.System);

    protected RegistryStorage Storage { get; set; }

    protected abstract RegistryStorage Open();

    public void Dispose()
    {
        Storage.Dispose();
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    protected async Task<Digest> Upload(string repository, byte[] content)
    {
        var session = Storage.StartUpload(repository);
        await Storage.AppendAsync(session, PipeReader.Create(new MemoryStream(content)), null, default);
        return (await Storage.CompleteUploadAsync(session, Digest.Of(content), default)).Digest;
    }

    protected async Task<ManifestRecord> PushImage(string repository, string tag, TestImage image)
    {
        foreach (var blob in image.Blobs)
        {
            await Upload(repository, blob);
        }

        return Storage.PutManifest(repository, tag, image.Manifest, image.MediaType);
    }

    [Fact]
    public async Task An_uploaded_blob_is_stored_under_its_digest_and_linked_to_its_repository()
    {
        var content = "hello"u8.ToArray();
        var digest = await Upload("p", content);
        Assert.Equal(5, Storage.FindBlob("p", digest)!.Size);
        Assert.Null(Storage.FindBlob("q", digest));
        Assert.Equal(content, await File.ReadAllBytesAsync(Storage.Blobs.PathOf(digest)));
    }

    [Fact]
    public async Task A_digest_mismatch_stores_nothing()
    {
        var session = Storage.StartUpload("p");
        await Storage.AppendAsync(session, PipeReader.Create(new MemoryStream("hello"u8.ToArray())), null, default);
        var e = await Assert.ThrowsAsync<RegistryException>(() => Storage.CompleteUploadAsync(session, Digest.Of("other"u8), default));
        Assert.Equal("DIGEST_INVALID", e.Error.Code);
        Assert.Empty(Storage.Blobs.All());
        Assert.Null(Storage.FindBlob("p", Digest.Of("hello"u8)));
        Assert.False(File.Exists(session.FilePath));
        Assert.Throws<RegistryException>(() => Storage.FindUpload("p", session.Id));
    }

    [Fact]
    public async Task Chunks_must_arrive_in_order_and_a_failed_chunk_is_rolled_back()
    {
        var session = Storage.StartUpload("p");
        await Storage.AppendAsync(session, PipeReader.Create(new MemoryStream("abc"u8.ToArray())), 0, default);
        var outOfOrder = await Assert.ThrowsAsync<RegistryException>(() =>
            Storage.AppendAsync(session, PipeReader.Create(new MemoryStream("xyz"u8.ToArray())), 10, default));
        Assert.Equal(416, outOfOrder.Error.Status);

        await Assert.ThrowsAsync<IOException>(() => Storage.AppendAsync(session, PipeReader.Create(new FailingStream(1000)), 3, default));
        Assert.Equal(3, session.Offset);
        await Storage.AppendAsync(session, PipeReader.Create(new MemoryStream("def"u8.ToArray())), 3, default);
        var link = await Storage.CompleteUploadAsync(session, Digest.Of("abcdef"u8), default);
        Assert.Equal(6, link.Size);
    }

    [Fact]
    public async Task Large_blobs_stream_through_without_being_held_in_memory()
    {
        const long size = 64L * 1024 * 1024;
        var session = Storage.StartUpload("p");
        // The stream answers synchronously, so the whole append runs on this thread and this thread's count is all of it;
        // the process-wide count would include whatever tests run alongside.
        var stream = new PatternStream(size);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 256 * 1024));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var append = Storage.AppendAsync(session, reader, null, default);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(append.IsCompleted, "the append was expected to complete synchronously");
        await append;
        Assert.Equal(size, session.Offset);
        Assert.True(allocated < 16 * 1024 * 1024, $"streaming {size} bytes allocated {allocated} bytes");
        await Storage.CompleteUploadAsync(session, await stream.DigestAsync(), default);
        Assert.Equal(size, new FileInfo(Storage.Blobs.PathOf(await stream.DigestAsync())).Length);
    }

    [Fact]
    public async Task A_mount_links_a_blob_only_from_a_repository_that_has_it()
    {
        var digest = await Upload("p", "shared"u8.ToArray());
        Assert.NotNull(Storage.Mount("q", "p", digest));
        Assert.NotNull(Storage.FindBlob("q", digest));
        Assert.Null(Storage.Mount("r", "nowhere", digest));
        Assert.Null(Storage.FindBlob("r", digest));
    }

    [Fact]
    public async Task A_manifest_needs_its_blobs_in_the_repository()
    {
        var image = TestImage.Create(7);
        await Upload("p", image.Config);
        var e = Assert.Throws<RegistryException>(() => Storage.PutManifest("p", "v1", image.Manifest, image.MediaType));
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", e.Error.Code);
        Assert.Null(Storage.FindManifest("p", "v1"));
        Assert.Null(Storage.FindManifest("p", image.Digest));
    }

    [Fact]
    public async Task Deleting_a_manifest_never_breaks_another_that_shares_its_blobs()
    {
        var first = TestImage.Create(1);
        var second = TestImage.Create(2, sharedLayers: [first.Layers[0]]);
        await PushImage("p", "first", first);
        await PushImage("p", "second", second);
        Assert.True(Storage.DeleteManifest("p", Digest.Parse(first.Digest)));
        Storage.CollectBytes();
        Storage.Sweep();
        Assert.Null(Storage.FindManifest("p", "first"));
        var (manifest, _) = Storage.FindManifest("p", "second")!.Value;
        Assert.All(manifest.Blobs, b => Assert.NotNull(Storage.FindBlob("p", b.Digest)));
    }

    [Fact]
    public async Task Retention_ages_images_out_and_keeps_what_a_newer_image_shares()
    {
        var old = TestImage.Create(1);
        var fresh = TestImage.Create(2, sharedLayers: [old.Layers[0]]);
        await PushImage("p", "old", old);
        Clock.Advance(TimeSpan.FromDays(5));
        await PushImage("p", "fresh", fresh);
        Clock.Advance(TimeSpan.FromDays(3));
        Storage.SweepIfDue();

        Assert.Null(Storage.FindManifest("p", "old"));
        Assert.Null(Storage.FindManifest("p", old.Digest));
        Assert.Null(Storage.FindBlob("p", Digest.Parse(OciClient.Digest(old.Config))));
        Assert.False(File.Exists(Storage.Blobs.PathOf(Digest.Parse(old.Digest))));
        Assert.NotNull(Storage.FindManifest("p", "fresh"));
        Assert.NotNull(Storage.FindBlob("p", Digest.Parse(OciClient.Digest(old.Layers[0]))));

        Clock.Advance(TimeSpan.FromDays(5));
        Storage.Sweep();
        Assert.Empty(Storage.Tags("p"));
        Assert.Empty(Storage.Blobs.All());
    }

    [Fact]
    public async Task An_index_keeps_its_untagged_children_while_it_lives()
    {
        var amd = TestImage.Create(1);
        var arm = TestImage.Create(2);
        await PushImage("p", amd.Digest, amd);
        await PushImage("p", arm.Digest, arm);
        Storage.PutManifest("p", "multi", TestImage.Index(amd, arm), MediaTypes.OciIndex);
        Clock.Advance(TimeSpan.FromDays(8));
        Storage.PutManifest("p", "multi", TestImage.Index(amd, arm), MediaTypes.OciIndex);
        Storage.Sweep();
        Assert.NotNull(Storage.FindManifest("p", amd.Digest));
        Assert.NotNull(Storage.FindManifest("p", arm.Digest));
        Assert.Equal(amd.Manifest.Length + amd.Blobs.Sum(b => b.Length) + arm.Manifest.Length + arm.Blobs.Sum(b => b.Length) +
                     TestImage.Index(amd, arm).Length, Assert.Single(Storage.Images("p")).SizeBytes);
    }

    [Fact]
    public void Idle_upload_sessions_expire()
    {
        var session = Storage.StartUpload("p");
        Clock.Advance(Storage.Options.UploadTimeout + TimeSpan.FromSeconds(1));
        var e = Assert.Throws<RegistryException>(() => Storage.FindUpload("p", session.Id));
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", e.Error.Code);
    }

    [Fact]
    public async Task Clear_empties_the_registry()
    {
        await PushImage("p", "v1", TestImage.Create(3));
        Storage.Reset();
        Assert.Empty(Storage.Tags("p"));
        Assert.Empty(Storage.Blobs.All());
        Assert.False(Storage.RepositoryExists("p"));
    }

    /// <summary>Bytes from a counter, never materialized; it hashes what it hands out.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private readonly System.Security.Cryptography.IncrementalHash _hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        private long _position;

        public Task<Digest> DigestAsync() => Task.FromResult(new Digest("sha256", Convert.ToHexStringLower(_hash.GetCurrentHash())));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = (int)Math.Min(buffer.Length, length - _position);
            var span = buffer.Span[..n];
            for (var i = 0; i < n; i++)
            {
                span[i] = (byte)((_position + i) * 31 >> 3);
            }

            _hash.AppendData(span);
            _position += n;
            return ValueTask.FromResult(n);
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
            {
                buffer[offset + i] = (byte)((_position + i) * 31 >> 3);
            }

            _hash.AppendData(buffer, offset, n);
            _position += n;
            return n;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Gives some bytes, then fails as a dropped connection does.</summary>
    private sealed class FailingStream(int before) : Stream
    {
        private int _given;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_given >= before)
            {
                throw new IOException("connection reset");
            }

            var n = Math.Min(count, before - _given);
            _given += n;
            return n;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _given; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The default: index in memory, bytes in a private temporary directory removed on dispose.</summary>
public sealed class EphemeralRegistryStorageTests : RegistryStorageConformance
{
    protected override RegistryStorage Open() => new(new RegistryStorageOptions(), Clock, new IdGenerator(1));

    [Fact]
    public async Task Nothing_is_left_on_disk_after_disposal()
    {
        await Upload("p", "bytes"u8.ToArray());
        var root = Storage.Blobs.Root;
        Assert.StartsWith(Path.GetTempPath(), root);
        Storage.Dispose();
        Assert.False(Directory.Exists(root));
        Storage = Open();
    }
}

/// <summary><c>--data-dir</c>: the same behaviour, and it survives a restart.</summary>
public sealed class DataDirRegistryStorageTests : RegistryStorageConformance
{
    protected override RegistryStorage Open() => new(new RegistryStorageOptions { DataDirectory = Root }, Clock, new IdGenerator(1));

    [Fact]
    public async Task Images_survive_a_restart()
    {
        var image = TestImage.Create(5);
        await PushImage("p", "v1", image);
        Storage.Dispose();
        Storage = Open();
        var (manifest, content) = Storage.FindManifest("p", "v1")!.Value;
        Assert.Equal(image.Manifest, content);
        Assert.All(manifest.Blobs, b => Assert.NotNull(Storage.FindBlob("p", b.Digest)));
        Assert.True(Directory.Exists(Root));
    }
}
