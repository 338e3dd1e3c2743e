using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Clients;

/// <summary>
/// The real <c>depot gocache</c>, driven as the go command drives a GOCACHEPROG: JSON requests on its stdin, answers
/// on its stdout. One run stores objects; a second, with an empty local directory, reads them back from the emulator.
/// </summary>
public class CliGoCacheTests
{
    private static readonly byte[] ActionId = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] Object = Encoding.UTF8.GetBytes("package main // compiled");

    [Fact]
    public async Task Objects_stored_by_one_run_are_read_back_by_the_next()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);
        var token = TestSeeds.Secret(TokenType.Organization);

        await using (var first = GoCacheProg.Start(emulator.Url, token))
        {
            Assert.True((await first.Get(ActionId))["Miss"]?.GetValue<bool>());
            var put = await first.Put(ActionId, Object);
            Assert.NotNull(put["DiskPath"]);
            await first.Close();
        }

        await using (var second = GoCacheProg.Start(emulator.Url, token))
        {
            var hit = await second.Get(ActionId);
            Assert.Null(hit["Miss"]);
            Assert.Equal(Object.Length, hit["Size"]!.GetValue<long>());
            Assert.Equal(Object, await File.ReadAllBytesAsync(hit["DiskPath"]!.GetValue<string>()));
            await second.Close();
        }

        ExchangeSnapshots.Match(await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark), "gocache.organization");
    }

    [Fact]
    public async Task A_project_token_is_refused_and_go_is_told()
    {
        await using var emulator = await LoopbackEmulator.StartAsync();
        var mark = await ExchangeSnapshots.MarkAsync(emulator.Http);
        await using var prog = GoCacheProg.Start(emulator.Url, TestSeeds.Secret(TokenType.Project));
        var answer = await prog.Get(ActionId);
        Assert.Contains("403", answer["Err"]!.GetValue<string>());
        await prog.Close();
        ExchangeSnapshots.Match(await ExchangeSnapshots.ExchangesSinceAsync(emulator.Http, mark), "gocache.project");
    }

    /// <summary>One <c>depot gocache</c> process speaking cmd/go's cacheprog protocol.</summary>
    private sealed class GoCacheProg : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _dir;
        private int _id;

        private GoCacheProg(Process process, string dir)
        {
            _process = process;
            _dir = dir;
        }

        public static GoCacheProg Start(string url, string token)
        {
            var home = RealClients.TempHome();
            var dir = Path.Combine(home, "go-build");
            // The go command lays out its cache directory with one subdirectory per first byte; depot gocache writes into it.
            for (var b = 0; b < 256; b++)
            {
                Directory.CreateDirectory(Path.Combine(dir, b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
            }

            var start = RealClients.StartInfo(RealClients.DepotCli, ["gocache", "--dir", dir], new Dictionary<string, string?>
            {
                ["HOME"] = home,
                ["DEPOT_CACHE_HOST"] = url,
                ["DEPOT_API_URL"] = url,
                ["DEPOT_TOKEN"] = token,
                ["DEPOT_NO_UPDATE_NOTIFIER"] = "1",
                ["DEPOT_ERROR_TELEMETRY"] = "0",
                ["DEPOT_DISABLE_OTEL"] = "1",
            });
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start depot gocache");
            _ = process.StandardError.ReadToEndAsync();
            return new GoCacheProg(process, home);
        }

        public Task<JsonObject> Get(byte[] actionId) =>
            Send(new JsonObject { ["Command"] = "get", ["ActionID"] = Convert.ToBase64String(actionId) }, null);

        public Task<JsonObject> Put(byte[] actionId, byte[] body) =>
            Send(new JsonObject
            {
                ["Command"] = "put",
                ["ActionID"] = Convert.ToBase64String(actionId),
                ["OutputID"] = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(body)),
                ["BodySize"] = body.Length,
            }, body);

        /// <summary>Close waits for the background uploads, as the go command does at exit.</summary>
        public async Task Close()
        {
            await Send(new JsonObject { ["Command"] = "close" }, null);
            _process.StandardInput.Close();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(cts.Token);
        }

        private async Task<JsonObject> Send(JsonObject request, byte[]? body)
        {
            var id = ++_id;
            request["ID"] = id;
            await _process.StandardInput.WriteLineAsync(request.ToJsonString());
            if (body is not null)
            {
                await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(Convert.ToBase64String(body)));
            }

            await _process.StandardInput.FlushAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                var line = await _process.StandardOutput.ReadLineAsync(cts.Token)
                    ?? throw new Xunit.Sdk.XunitException("depot gocache closed its output");
                var answer = JsonNode.Parse(line)!.AsObject();
                if (answer["ID"]?.GetValue<long>() == id)
                {
                    return answer;
                }
            }
        }

        public ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
            Directory.Delete(_dir, recursive: true);
            return ValueTask.CompletedTask;
        }
    }
}
