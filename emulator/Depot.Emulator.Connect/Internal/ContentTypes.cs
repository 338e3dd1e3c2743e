namespace Depot.Emulator.Connect.Internal;

internal static class ContentTypes
{
    public static Codec? Parse(string? contentType, bool streaming)
    {
        if (contentType is null)
        {
            return null;
        }

        var parts = contentType.Split(';');
        var media = parts[0].Trim().ToLowerInvariant();
        var prefix = streaming ? "application/connect+" : "application/";
        if (!media.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        return media[prefix.Length..] switch
        {
            "proto" => Codec.Proto,
            "json" => Codec.Json,
            _ => null,
        };
    }

    public static string Accepted(bool streaming) =>
        streaming ? "application/connect+proto, application/connect+json" : "application/proto, application/json";

    public static string Unary(Codec codec) => "application/" + codec.Name;

    public static string Stream(Codec codec) => "application/connect+" + codec.Name;
}
