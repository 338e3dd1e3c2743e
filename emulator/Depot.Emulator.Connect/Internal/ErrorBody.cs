using System.Text.Json;

namespace Depot.Emulator.Connect.Internal;

/// <summary>Writes the Connect error object and the end-of-stream message, the only JSON the protocol itself owns.</summary>
internal static class ErrorBody
{
    public static byte[] Error(ConnectException error) =>
        JsonSerializer.SerializeToUtf8Bytes(ErrorObject(error));

    public static byte[] EndOfStream(ConnectException? error)
    {
        var end = new Dictionary<string, object>();
        if (error is not null)
        {
            end["error"] = ErrorObject(error);
            if (error.Metadata.Count > 0)
            {
                end["metadata"] = error.Metadata;
            }
        }

        return JsonSerializer.SerializeToUtf8Bytes(end);
    }

    private static Dictionary<string, object> ErrorObject(ConnectException error)
    {
        var body = new Dictionary<string, object> { ["code"] = ConnectCodes.Name(error.Code) };
        if (!string.IsNullOrEmpty(error.Message))
        {
            body["message"] = error.Message;
        }

        return body;
    }
}
