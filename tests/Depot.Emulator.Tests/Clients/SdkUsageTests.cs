using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Clients;

/// <summary>@depot/sdk-node's UsageService reflects a build and a cache upload made moments before.</summary>
public class SdkUsageTests
{
    private const string Usage = "depot.core.v1.UsageService";

    [Fact]
    public async Task Usage_counts_a_finished_build_and_the_bytes_in_the_cache()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var token = TestSeeds.Secret(TokenType.Organization);
        // The seed's build token comes with a running build of proj-web; usage counts it too.
        var seeded = (await Call(emulator.Url, "getProjectUsage", new { projectId = "proj-web" }, token)).GetProperty("usage").GetProperty("buildCount").GetInt32();

        var created = await RealClients.Sdk(emulator.Url, "depot.build.v1.BuildService", "createBuild", new { projectId = "proj-web" }, token);
        Assert.True(created.GetProperty("ok").GetBoolean(), created.ToString());
        var build = created.GetProperty("response");
        (await emulator.Http.PostAsync("/_emulator/clock/advance", new StringContent("""{"seconds": 90}""", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        var finished = await RealClients.Sdk(emulator.Url, "depot.build.v1.BuildService", "finishBuild",
            new { buildId = build.GetProperty("buildId").GetString(), result = new { @case = "success", value = new { } } }, build.GetProperty("buildToken").GetString());
        Assert.True(finished.GetProperty("ok").GetBoolean(), finished.ToString());

        using var upload = new HttpRequestMessage(HttpMethod.Put, "/ac/" + new string('c', 64)) { Content = new ByteArrayContent(new byte[5_000_000]) };
        upload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await emulator.Http.SendAsync(upload)).EnsureSuccessStatusCode();

        var usage = await Call(emulator.Url, "getUsage", new { }, token);
        var web = usage.GetProperty("containerBuild").EnumerateArray().Single(u => u.GetProperty("projectName").GetString() == "web");
        Assert.Equal(seeded + 1, web.GetProperty("buildCount").GetInt32());
        Assert.InRange(web.GetProperty("minutesBilled").GetDouble(), 1.5 * (seeded + 1), 2.5 * (seeded + 1));
        var storage = usage.GetProperty("storage").EnumerateArray().Single();
        Assert.Equal("cache", storage.GetProperty("storageType").GetString());
        Assert.Equal(0.005, storage.GetProperty("totalGb").GetDouble(), 6);

        var project = (await Call(emulator.Url, "getProjectUsage", new { projectId = "proj-web" }, token)).GetProperty("usage");
        Assert.Equal(seeded + 1, project.GetProperty("buildCount").GetInt32());
        Assert.InRange(project.GetProperty("buildDurationSeconds").GetInt32(), 90 * (seeded + 1), 150 * (seeded + 1));

        var listed = await Call(emulator.Url, "listProjectUsage", new { }, token);
        Assert.Equal(["proj-api", "proj-web"], listed.GetProperty("usage").EnumerateArray().Select(u => u.GetProperty("projectId").GetString()).Order());

        // A period that ends before the build began holds none of it.
        var before = await Call(emulator.Url, "getProjectUsage", new { projectId = "proj-web", startAt = "2000-01-01T00:00:00Z", endAt = "2000-02-01T00:00:00Z" }, token);
        Assert.False(before.GetProperty("usage").TryGetProperty("buildCount", out _));
    }

    [Fact]
    public async Task Usage_is_an_api_service_a_project_token_cannot_use()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);
        foreach (var (method, request) in new (string, object)[] { ("getUsage", new { }), ("getProjectUsage", new { projectId = "proj-web" }), ("listProjectUsage", new { }) })
        {
            var refused = await RealClients.Sdk(emulator.Url, Usage, method, request, TestSeeds.Secret(TokenType.Project));
            Assert.Equal("permission_denied", refused.GetProperty("code").GetString());
        }

        ExchangeSnapshots.Match(await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark), "usage.project");
    }

    private static async Task<JsonElement> Call(string url, string method, object request, string token)
    {
        var result = await RealClients.Sdk(url, Usage, method, request, token);
        Assert.True(result.GetProperty("ok").GetBoolean(), $"{method}: {result}");
        return result.GetProperty("response");
    }
}
