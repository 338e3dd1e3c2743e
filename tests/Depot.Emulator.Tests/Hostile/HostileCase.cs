using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Depot.Emulator.Tests.Hostile;

/// <summary>One hostile request and the documented answer: status, and the error code its surface's body carries.</summary>
public sealed record HostileCase(
    string Name,
    string Surface,
    HttpMethod Method,
    string Path,
    byte[]? Body,
    string? ContentType,
    IReadOnlyDictionary<string, string> Headers,
    int Status,
    string Code,
    IReadOnlyList<string> Secrets)
{
    public HttpRequestMessage Request()
    {
        var request = new HttpRequestMessage(Method, Path);
        if (Body is not null)
        {
            request.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }

            if (Headers.TryGetValue("Content-Encoding", out var encoding))
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Encoding", encoding);
            }
        }

        foreach (var (name, value) in Headers)
        {
            if (name != "Content-Encoding")
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    /// <summary>The error code of an answer: Connect's <c>code</c> (unary body or end-of-stream), OCI's <c>errors[0].code</c>, the control plane's <c>error.code</c>.</summary>
    public static string? CodeOf(string? contentType, byte[] body)
    {
        if (contentType?.StartsWith("application/connect+", StringComparison.Ordinal) == true)
        {
            var offset = 0;
            while (offset + 5 <= body.Length)
            {
                var flags = body[offset];
                var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(offset + 1));
                if ((flags & 2) != 0)
                {
                    using var end = JsonDocument.Parse(body.AsMemory(offset + 5, length));
                    return end.RootElement.TryGetProperty("error", out var e) ? e.GetProperty("code").GetString() : "ok";
                }

                offset += 5 + length;
            }

            return null;
        }

        if (body.Length == 0)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        // POST /auth/oidc/github-actions answers as Depot's does: {"ok": false, "error": "…"}.
        if (root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.False)
        {
            return "ok-false";
        }

        if (root.TryGetProperty("errors", out var errors))
        {
            return errors[0].GetProperty("code").GetString();
        }

        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            return error.GetProperty("code").GetString();
        }

        return root.TryGetProperty("code", out var code) ? code.GetString() : null;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>A gzip body that inflates to <paramref name="inflated"/> zero bytes.</summary>
    public static byte[] Bomb(int inflated)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            var zeros = new byte[1 << 20];
            for (var written = 0; written < inflated; written += zeros.Length)
            {
                gzip.Write(zeros);
            }
        }

        return output.ToArray();
    }

    public static byte[] Envelope(byte flags, byte[] payload, uint? declared = null)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), declared ?? (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    public static string Basic(string secret) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("x-token:" + secret));

    public override string ToString() => Name;
}
