namespace Depot.Emulator;

/// <summary>The URL handed to clients: <c>--public-url</c> when set, else what the client itself used to reach us.</summary>
public sealed class PublicUrls(EmulatorOptions options)
{
    public string Base(HttpContext http) =>
        options.PublicUrl ?? $"{http.Request.Scheme}://{http.Request.Host}";

    /// <summary><c>host:port</c> of <see cref="Base"/>: how image references and BuildKit endpoints name the emulator.</summary>
    public string Authority(HttpContext http) => new Uri(Base(http)).Authority;
}
