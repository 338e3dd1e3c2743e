using Depot.Emulator.BuildKit.Dockerfiles;
using FsUtil.Types;
using Google.Protobuf;
using Grpc.Core;
using Moby.FileSync.V1;

namespace Depot.Emulator.BuildKit.Session;

/// <summary>
/// The client's <c>moby.filesync.v1.FileSend</c>, where exports land: a tarball as a stream of bytes, or a
/// directory through fsutil's DiffCopy with the daemon as the sending end (one STAT per entry in path order, an
/// empty STAT, then the data of each file the client requests, until it sends FIN).
/// </summary>
public static class ExportTarget
{
    public const string Method = "/moby.filesync.v1.FileSend/DiffCopy";

    /// <summary>Which of the client's exporters receives the stream (newer clients keep one target per exporter).</summary>
    private const string ExporterIdHeader = "buildkit-attachable-exporter-id";

    private const int ChunkSize = 1024 * 1024;
    private const uint DirectoryBit = 1u << 31;

    private static readonly Marshaller<Packet> Packets = Marshallers.Create(p => p.ToByteArray(), Packet.Parser.ParseFrom);

    /// <summary>The same method, carrying fsutil packets as a local export does.</summary>
    private static readonly Method<Packet, Packet> DiffCopyPackets =
        new(MethodType.DuplexStreaming, "moby.filesync.v1.FileSend", "DiffCopy", Packets, Packets);

    public static async Task SendFileAsync(CallInvoker invoker, int exporterId, byte[] data, CancellationToken cancellationToken)
    {
        using var call = new FileSend.FileSendClient(invoker).DiffCopy(Headers(exporterId), cancellationToken: cancellationToken);
        for (var offset = 0; offset < data.Length; offset += ChunkSize)
        {
            var chunk = ByteString.CopyFrom(data, offset, Math.Min(ChunkSize, data.Length - offset));
            await call.RequestStream.WriteAsync(new BytesMessage { Data = chunk }, cancellationToken);
        }

        await call.RequestStream.CompleteAsync();
        // The client answers nothing and ends the call once it has written (and closed) the file.
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
        }
    }

    public static async Task SendDirectoryAsync(CallInvoker invoker, int exporterId, VirtualFs files, DateTimeOffset modified,
        CancellationToken cancellationToken)
    {
        using var call = invoker.AsyncDuplexStreamingCall(DiffCopyPackets, null, new CallOptions(Headers(exporterId), cancellationToken: cancellationToken));
        var entries = files.Entries.Where(e => e.Key != "/")
            .OrderBy(e => e.Key.Replace('/', '\0'), StringComparer.Ordinal)
            .ToList();
        var requestable = new Dictionary<uint, FsEntry>();
        var nanos = modified.ToUnixTimeMilliseconds() * 1_000_000;
        for (var id = 0; id < entries.Count; id++)
        {
            var (path, entry) = entries[id];
            var stat = new Stat
            {
                Path = path.TrimStart('/'),
                Mode = (uint)(entry.Mode & 0xFFF) | (entry.IsDirectory ? DirectoryBit : 0),
                Size = entry.IsDirectory ? 0 : entry.Data.Length,
                ModTime = nanos,
            };
            if (!entry.IsDirectory)
            {
                requestable[(uint)id] = entry;
            }

            await call.RequestStream.WriteAsync(new Packet { Type = Packet.Types.PacketType.PacketStat, Stat = stat }, cancellationToken);
        }

        await call.RequestStream.WriteAsync(new Packet { Type = Packet.Types.PacketType.PacketStat }, cancellationToken);
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            var packet = call.ResponseStream.Current;
            switch (packet.Type)
            {
                case Packet.Types.PacketType.PacketErr:
                    throw new IOException($"the client could not write the export: {packet.Data.ToStringUtf8()}");
                case Packet.Types.PacketType.PacketReq when requestable.Remove(packet.ID, out var file):
                    for (var offset = 0; offset < file.Data.Length; offset += ChunkSize)
                    {
                        var chunk = ByteString.CopyFrom(file.Data, offset, Math.Min(ChunkSize, file.Data.Length - offset));
                        await call.RequestStream.WriteAsync(new Packet { Type = Packet.Types.PacketType.PacketData, ID = packet.ID, Data = chunk }, cancellationToken);
                    }

                    await call.RequestStream.WriteAsync(new Packet { Type = Packet.Types.PacketType.PacketData, ID = packet.ID }, cancellationToken);
                    break;
                case Packet.Types.PacketType.PacketReq:
                    throw new IOException($"the client asked for an unknown file {packet.ID}");
                case Packet.Types.PacketType.PacketFin:
                    await call.RequestStream.WriteAsync(new Packet { Type = Packet.Types.PacketType.PacketFin }, cancellationToken);
                    await call.RequestStream.CompleteAsync();
                    while (await call.ResponseStream.MoveNext(cancellationToken))
                    {
                    }

                    return;
            }
        }

        throw new IOException("the client ended the export before it had every file");
    }

    private static Metadata Headers(int exporterId) => new() { { ExporterIdHeader, exporterId.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
}
