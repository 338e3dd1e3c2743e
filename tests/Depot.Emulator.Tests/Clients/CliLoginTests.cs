using System.Net.Http.Json;
using System.Text.Json;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Clients;

/// <summary><c>depot login</c>, and the order in which the CLI picks a token, seen through the journal.</summary>
public class CliLoginTests
{
    [Fact]
    public async Task Depot_login_is_approved_through_the_control_plane_and_stores_a_working_user_token()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--random-seed", "3");
        var home = RealClients.TempHome();
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);

        var login = RealClients.Depot(emulator.Url, home, null, "login", "--org-id", "org-acme");
        var pending = await WaitForPendingLoginAsync(emulator.Http);
        using var approve = await emulator.Http.PostAsJsonAsync($"/_emulator/login/{pending}/approve", new { user = "user-ada" });
        Assert.True(approve.IsSuccessStatusCode, await approve.Content.ReadAsStringAsync());
        var result = await login;

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains($"{emulator.Url}/_emulator/login/{pending}", result.Output);
        var stored = File.ReadAllText(Path.Combine(home, ".config", "depot", "depot.yaml"));
        Assert.Contains("api_token: depot_user_", stored);

        var orgs = await RealClients.Depot(emulator.Url, home, null, "org", "list", "--output", "json");
        Assert.True(orgs.ExitCode == 0, orgs.Output);
        Assert.Contains("org-globex", orgs.Output);

        var exchanges = await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark);
        ExchangeSnapshots.Match(exchanges, "login");
    }

    [Fact]
    public async Task The_approve_page_lists_the_seeded_users()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var login = RealClients.Depot(emulator.Url, RealClients.TempHome(), null, "login", "--org-id", "org-acme");
        var pending = await WaitForPendingLoginAsync(emulator.Http);

        var page = await emulator.Http.GetStringAsync($"/_emulator/login/{pending}");
        Assert.Contains("Ada", page);
        Assert.Contains("bob@example.com", page);

        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = "user-ada" });
        using var approved = await emulator.Http.PostAsync($"/_emulator/login/{pending}/approve", form);
        Assert.Contains("Signed in as <b>user-ada</b>", await approved.Content.ReadAsStringAsync());
        Assert.Equal(0, (await login).ExitCode);
    }

    [Fact]
    public async Task A_login_nobody_approves_ends_with_an_error_after_the_timeout()
    {
        await using var emulator = await LoopbackEmulator.StartAsync("--seed", TestSeeds.AcmePath, "--login-timeout", "1");
        var result = await RealClients.Depot(emulator.Url, RealClients.TempHome(), null, "login");
        Assert.NotEqual(0, result.ExitCode);
        Assert.False(File.Exists(Path.Combine(RealClients.TempHome(), ".config", "depot", "depot.yaml")));
    }

    [Fact]
    public async Task The_cli_prefers_the_token_flag_then_DEPOT_TOKEN_then_the_stored_login()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var home = RealClients.TempHome();
        CliMatrixTests.StoreLogin(home, "test-user-ada");
        var env = new Dictionary<string, string?> { ["DEPOT_TOKEN"] = TestSeeds.Secret(TokenType.Organization) };

        Assert.Equal("tok-proj-web", await TokenUsedAsync(emulator, home, env, "--token", TestSeeds.Secret(TokenType.Project)));
        Assert.Equal("tok-org-acme", await TokenUsedAsync(emulator, home, env));
        Assert.Equal("tok-user-ada", await TokenUsedAsync(emulator, home, null));
    }

    private static async Task<string> TokenUsedAsync(LoopbackEmulator emulator, string home, IDictionary<string, string?>? env, params string[] flags)
    {
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);
        var result = await RealClients.Depot(emulator.Url, home, env, ["pull-token", "--project", "proj-web", .. flags]);
        Assert.True(result.ExitCode == 0, result.Output);
        var journal = await emulator.Http.GetFromJsonAsync<JsonElement>($"/_emulator/journal?since={mark}&operation=depot.cli.v1.BuildService/GetPullToken");
        return journal.GetProperty("entries").EnumerateArray().Single().GetProperty("tokenId").GetString()!;
    }

    private static async Task<string> WaitForPendingLoginAsync(HttpClient http)
    {
        for (var i = 0; i < 100; i++)
        {
            var pending = (await http.GetFromJsonAsync<JsonElement>("/_emulator/login")).GetProperty("pending");
            if (pending.GetArrayLength() > 0)
            {
                return pending[0].GetProperty("id").GetString()!;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("depot login never called StartLogin");
    }
}
