using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Registry;

/// <summary>Runs Debian's skopeo against http:// registries on loopback, with explicit credentials and no policy file.</summary>
public static class Skopeo
{
    public const string Binary = "/usr/bin/skopeo";

    public static Task<ProcessResult> RunAsync(params string[] args)
    {
        if (!File.Exists(Binary))
        {
            throw new Xunit.Sdk.XunitException($"{Binary} is missing: install Debian's skopeo (apt-get install skopeo), as .ci/run does.");
        }

        return RealClients.RunAsync(Binary, ["--insecure-policy", .. args], new Dictionary<string, string?>
        {
            ["REGISTRY_AUTH_FILE"] = Path.Combine(Path.GetTempPath(), "depot-skopeo-no-auth.json"),
            ["HOME"] = Path.GetTempPath(),
        }, TimeSpan.FromSeconds(120));
    }

    /// <summary><c>skopeo copy oci:dir:tag docker://ref</c>, with <c>x-token</c> credentials when a secret is given.</summary>
    public static Task<ProcessResult> PushAsync(string layout, string tag, string reference, string? secret, params string[] extra) =>
        RunAsync(["copy", "--dest-tls-verify=false", .. Creds("--dest-creds", secret), .. extra, $"oci:{layout}:{tag}", $"docker://{reference}"]);

    /// <summary><c>skopeo copy docker://ref oci:dir:tag</c>, keeping layers as they are (the OCI layout would gzip uncompressed ones).</summary>
    public static Task<ProcessResult> PullAsync(string reference, string layout, string tag, string? secret) =>
        RunAsync(["copy", "--src-tls-verify=false", "--preserve-digests", .. Creds("--src-creds", secret), $"docker://{reference}", $"oci:{layout}:{tag}"]);

    public static Task<ProcessResult> InspectRawAsync(string reference, string? secret, bool config = false) =>
        RunAsync(["inspect", "--tls-verify=false", .. Creds("--creds", secret), .. (config ? new[] { "--config" } : []), "--raw", $"docker://{reference}"]);

    public static Task<ProcessResult> ListTagsAsync(string repository, string? secret) =>
        RunAsync(["list-tags", "--tls-verify=false", .. Creds("--creds", secret), $"docker://{repository}"]);

    public static string TempLayout() => Path.Combine(Path.GetTempPath(), "depot-skopeo-layouts", Guid.NewGuid().ToString("N"));

    private static string[] Creds(string flag, string? secret) => secret is null ? [] : [flag, "x-token:" + secret];
}
