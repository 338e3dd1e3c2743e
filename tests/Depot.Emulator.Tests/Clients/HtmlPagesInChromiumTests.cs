using Depot.Emulator.Domain.Builds;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Clients;

/// <summary>
/// The control plane's HTML pages as a browser shows them: Debian's headless Chromium renders each and the text must
/// read as written (a page without a declared charset shows <c>Â·</c> for <c>·</c>).
/// </summary>
public class HtmlPagesInChromiumTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Every_html_page_reads_as_utf_8()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var (build, _) = emulator.Service<DepotState>().StartBuild("proj-web", BuildOrigin.Api, []);
        var pages = new Dictionary<string, string>
        {
            [$"/_emulator/builds/{build.Id}"] = "Project proj-web · running",
            ["/_emulator/login/no-such-login"] = "Unknown login · Depot Emulator",
        };

        foreach (var (path, text) in pages)
        {
            var dom = await DumpDom(emulator.Url + path);
            Assert.Contains(text, dom);
            Assert.DoesNotContain("Â", dom);
        }
    }

    /// <summary>The page's DOM after Chromium loaded it, serialized by Chromium itself (as UTF-8).</summary>
    private static async Task<string> DumpDom(string url)
    {
        if (!File.Exists(Chromium))
        {
            throw new Xunit.Sdk.XunitException($"{Chromium} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does.");
        }

        var profile = Path.Combine(Path.GetTempPath(), "depot-emulator-chromium", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        try
        {
            var result = await RealClients.RunAsync(Chromium,
                ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", "--dump-dom", url],
                new Dictionary<string, string?> { ["HOME"] = profile }, TimeSpan.FromSeconds(90));
            Assert.True(result.ExitCode == 0, result.Output);
            return result.Stdout;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
