using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Depot.Emulator.Tests.Registry;

/// <summary>
/// Debian's <c>docker-registry</c> (distribution 2.8.2) on a free loopback port with its own storage and deletes
/// enabled: the reference the emulator's registry is compared with.
/// </summary>
public sealed class DockerRegistry : IAsyncDisposable
{
    public const string Binary = "/usr/bin/docker-registry";

    private readonly Process _process;
    private readonly string _directory;

    private DockerRegistry(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public int Port { get; }

    /// <summary>How skopeo names it: <c>127.0.0.1:port</c>.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public HttpClient Http { get; }

    public string DataDirectory => Path.Combine(_directory, "data");

    public static async Task<DockerRegistry> StartAsync()
    {
        if (!File.Exists(Binary))
        {
            throw new Xunit.Sdk.XunitException($"{Binary} is missing: install Debian's docker-registry (apt-get install docker-registry), as .ci/run does.");
        }

        var directory = Path.Combine(Path.GetTempPath(), "depot-docker-registry", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var port = FreePort();
        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log: {"{"}level: error{"}"}
            storage:
              filesystem: {"{"}rootdirectory: {Path.Combine(directory, "data")}{"}"}
              delete: {"{"}enabled: true{"}"}
              maintenance: {"{"}uploadpurging: {"{"}enabled: false{"}"}{"}"}
            http: {"{"}addr: 127.0.0.1:{port}{"}"}
            """);
        var start = new ProcessStartInfo(Binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start docker-registry");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new DockerRegistry(process, directory, port);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var ping = await registry.Http.GetAsync("/v2/");
                if (ping.StatusCode == HttpStatusCode.OK)
                {
                    return registry;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(50);
        }

        await registry.DisposeAsync();
        throw new Xunit.Sdk.XunitException($"docker-registry did not answer on port {port}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // left for the OS's temp cleaner
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
