namespace Depot.Emulator;

/// <summary>The URL handed to clients: <c>--public-url</c> when set, else what the client itself used to reach us.</summary>
public sealed class PublicUrls(EmulatorOptions options)
{
    public string Base(HttpContext http) =>
        options.PublicUrl ?? $"{http.Request.Scheme}://{http.Request.Host}";
}
