using FsUtil.Types;
using Grpc.Core;
using Depot.Emulator.BuildKit.Dockerfiles;
using FileSyncClient = Moby.FileSync.V1.FileSync.FileSyncClient;

namespace Depot.Emulator.BuildKit.Session;

/// <summary>What to ask of one of the client's directories: all of it, or one path, less what the patterns exclude.</summary>
/// <remarks>
/// Exclusions are applied here rather than sent: the client reads every value of a metadata key, and the HTTP
/// stack joins repeated keys into one comma-separated value.
/// </remarks>
public sealed record SyncRequest(string DirName, string? FollowPath = null, IgnorePatterns? Excludes = null);

/// <summary>A directory as the client sent it, and how many bytes crossed.</summary>
public sealed record SyncedDirectory(VirtualFs Files, long Bytes);

/// <summary>
/// The receiving end of fsutil's DiffCopy: the client lists its entries (one STAT each, then an empty STAT),
/// we request the regular files by the index of their STAT, it streams their data, and FIN ends the exchange.
/// </summary>
public static class FileSyncReceiver
{
    public const string Method = "/moby.filesync.v1.FileSync/DiffCopy";

    /// <summary>The largest directory the emulator takes from a client.</summary>
    public const long MaxBytes = 512L * 1024 * 1024;

    private const uint DirectoryBit = 1u << 31;
    private const uint TypeBits = DirectoryBit | 1u << 27 | 1u << 26 | 1u << 25 | 1u << 24 | 1u << 21 | 1u << 19;

    public static async Task<SyncedDirectory> FetchAsync(CallInvoker invoker, SyncRequest request, CancellationToken cancellationToken)
    {
        var headers = new Metadata { { "dir-name", request.DirName } };
        if (request.FollowPath is { } follow)
        {
            headers.Add("followpaths", follow);
        }

        using var call = new FileSyncClient(invoker).DiffCopy(headers, cancellationToken: cancellationToken);
        var listing = new List<Stat>();
        var responses = call.ResponseStream;
        while (true)
        {
            var packet = await Next(responses, cancellationToken)
                ?? throw new IOException($"the client ended the listing of \"{request.DirName}\" early");
            if (packet.Type == Packet.Types.PacketType.PacketErr)
            {
                throw new IOException($"the client could not send \"{request.DirName}\": {packet.Data.ToStringUtf8()}");
            }

            if (packet.Type != Packet.Types.PacketType.PacketStat)
            {
                continue;
            }

            if (packet.Stat is null)
            {
                break;
            }

            listing.Add(packet.Stat);
        }

        var files = new VirtualFs();
        var wanted = new Dictionary<uint, (Stat Stat, MemoryStream Data)>();
        for (var id = 0; id < listing.Count; id++)
        {
            var stat = listing[id];
            var path = "/" + stat.Path;
            if (request.Excludes?.Excludes(stat.Path) == true)
            {
                continue;
            }

            if ((stat.Mode & DirectoryBit) != 0)
            {
                files.Put(path, FsEntry.Directory((int)(stat.Mode & 0xFFF)));
            }
            else if ((stat.Mode & TypeBits) == 0)
            {
                wanted[(uint)id] = (stat, new MemoryStream());
                await call.RequestStream.WriteAsync(new Packet { Type = Packet.Types.PacketType.PacketReq, ID = (uint)id }, cancellationToken);
            }
        }

        long total = 0;
        var open = wanted.Count;
        while (open > 0)
        {
            var packet = await Next(responses, cancellationToken)
                ?? throw new IOException($"the client ended \"{request.DirName}\" before sending every file");
            switch (packet.Type)
            {
                case Packet.Types.PacketType.PacketErr:
                    throw new IOException($"the client could not send \"{request.DirName}\": {packet.Data.ToStringUtf8()}");
                case Packet.Types.PacketType.PacketData when wanted.TryGetValue(packet.ID, out var file):
                    if (packet.Data.IsEmpty)
                    {
                        open--;
                        files.Put("/" + file.Stat.Path, FsEntry.File(file.Data.ToArray(), (int)(file.Stat.Mode & 0xFFF)));
                        break;
                    }

                    total += packet.Data.Length;
                    if (total > MaxBytes)
                    {
                        throw new IOException($"\"{request.DirName}\" is larger than the emulator's limit of {MaxBytes / (1024 * 1024)} MiB");
                    }

                    packet.Data.WriteTo(file.Data);
                    break;
            }
        }

        await call.RequestStream.WriteAsync(new Packet { Type = Packet.Types.PacketType.PacketFin }, cancellationToken);
        await call.RequestStream.CompleteAsync();
        while (await Next(responses, cancellationToken) is { } packet && packet.Type != Packet.Types.PacketType.PacketFin)
        {
        }

        return new SyncedDirectory(files, total);
    }

    private static async Task<Packet?> Next(IAsyncStreamReader<Packet> responses, CancellationToken cancellationToken)
    {
        try
        {
            return await responses.MoveNext(cancellationToken) ? responses.Current : null;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            throw new IOException(e.Status.Detail);
        }
    }
}
