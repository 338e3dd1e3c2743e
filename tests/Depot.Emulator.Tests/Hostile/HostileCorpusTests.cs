using System.Collections.Concurrent;
using System.Diagnostics;
using Depot.Emulator.Domain.State;
using Depot.Emulator.Domain.Time;
using Depot.Emulator.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Depot.Emulator.Tests.Hostile;

/// <summary>One emulator for the whole corpus, with every log line it writes kept for the secrets check.</summary>
public sealed class HostileEmulator : IAsyncLifetime
{
    public ConcurrentQueue<string> Logs { get; } = new();

    public WebApplication App { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        App = EmulatorApp.Build(["--log-level", "debug", "--seed", TestSeeds.AcmePath], b =>
        {
            b.WebHost.UseTestServer();
            b.Logging.AddProvider(new CapturingLoggerProvider(Logs));
        });
        await App.StartAsync();
        Http = App.GetTestClient();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
    }

    /// <summary>What a refused request must leave as it was.</summary>
    public string Fingerprint()
    {
        var state = App.Services.GetRequiredService<DepotState>();
        var clock = App.Services.GetRequiredService<EmulatorClock>();
        return string.Join('|',
            string.Join(',', state.Organizations().Select(o => o.Id)),
            string.Join(',', state.Users().Select(u => u.Id)),
            string.Join(',', state.Projects().Select(p => $"{p.Id}:{state.ProjectTokens(p.Id).Count}")),
            state.AllTrustPolicies().Count(),
            clock.Offset.Ticks);
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(lines, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}

/// <summary>
/// Every case of <see cref="HostileCorpus"/>: its documented status and error body, the process still serving, a
/// refusal that changed nothing, and no secret the case or the seed used in any log line or journal entry.
/// </summary>
public class HostileCorpusTests(HostileEmulator emulator) : IClassFixture<HostileEmulator>
{
    [Fact]
    public void The_corpus_has_at_least_300_cases_across_every_surface()
    {
        Assert.True(HostileCorpus.All.Count >= 300, $"{HostileCorpus.All.Count} cases");
        Assert.Equal(["connect", "control", "oidc", "registry"], HostileCorpus.All.Values.Select(c => c.Surface).Distinct().Order());
    }

    [Theory]
    [MemberData(nameof(HostileCorpus.Names), MemberType = typeof(HostileCorpus))]
    public async Task Each_hostile_request_gets_its_documented_answer_and_changes_nothing(string name)
    {
        var hostile = HostileCorpus.All[name];
        var before = emulator.Fingerprint();
        var logged = emulator.Logs.Count;

        using var request = hostile.Request();
        using var response = await emulator.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        var text = System.Text.Encoding.UTF8.GetString(body);
        Assert.True(hostile.Status == (int)response.StatusCode, $"{name}: status {(int)response.StatusCode}, body {text[..Math.Min(400, text.Length)]}");
        Assert.True(hostile.Code == HostileCase.CodeOf(response.Content.Headers.ContentType?.MediaType, body),
            $"{name}: body {text[..Math.Min(400, text.Length)]}");

        using var health = await emulator.Http.GetAsync("/_emulator/health", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(before, emulator.Fingerprint());

        var journal = await emulator.Http.GetStringAsync("/_emulator/journal?limit=3", TestContext.Current.CancellationToken);
        var logs = string.Join('\n', emulator.Logs.Skip(logged));
        foreach (var secret in hostile.Secrets.Concat(TestSeeds.Tokens.Values.Select(t => t.Secret)))
        {
            Assert.DoesNotContain(secret, logs);
            Assert.DoesNotContain(secret, journal);
        }

        Assert.True(journal.Length < 512 * 1024, $"the journal's last three entries took {journal.Length} characters");
    }
}

[CollectionDefinition(nameof(MemoryBounds), DisableParallelization = true)]
public sealed class MemoryBounds;

/// <summary>The amplification cases, alone so that the process's RSS is theirs to measure.</summary>
[Collection(nameof(MemoryBounds))]
public class HostileMemoryTests
{
    /// <summary>What the process may grow by, against the 1.4 GB the bombs once took.</summary>
    private const long MaxGrowth = 300L << 20;

    [Fact]
    public async Task Parallel_anonymous_gzip_bombs_are_refused_before_they_inflate()
    {
        await using var emulator = await InMemoryEmulator.StartAsync();
        var bomb = HostileCase.Bomb(256 << 20);
        var before = Rss();
        var answers = await BombAsync(emulator, bomb, null);

        Assert.All(answers, a => Assert.Equal((401, "unauthenticated"), a));
        Assert.True(Rss() - before < MaxGrowth, $"RSS grew by {(Rss() - before) >> 20} MiB");
    }

    [Fact]
    public async Task Authenticated_gzip_bombs_stop_at_the_message_limit()
    {
        await using var emulator = await InMemoryEmulator.StartAsync();
        var bomb = HostileCase.Bomb(256 << 20);
        var before = Rss();
        var answers = await BombAsync(emulator, bomb, HostileCorpus.OrgSecret);

        Assert.All(answers, a => Assert.Equal((429, "resource_exhausted"), a));
        GC.Collect();
        Assert.True(Rss() - before < MaxGrowth, $"RSS grew by {(Rss() - before) >> 20} MiB");
    }

    [Fact]
    public async Task Huge_ids_in_errors_do_not_grow_the_journal()
    {
        await using var emulator = await InMemoryEmulator.StartAsync();
        var before = Rss();
        var id = new string('p', 5 << 20);
        for (var i = 0; i < 30; i++)
        {
            var result = await emulator.Connect.CallAsync<Depot.Core.V1.GetProjectResponse>("depot.core.v1.ProjectService/GetProject",
                new Depot.Core.V1.GetProjectRequest { ProjectId = id }, HostileCorpus.OrgSecret);
            Assert.Equal("not_found", result.Code);
            Assert.True(result.Message!.Length < 2048, $"the error message is {result.Message.Length} characters");
        }

        var journal = await emulator.Http.GetStringAsync("/_emulator/journal?limit=3");
        Assert.True(journal.Length < 256 * 1024, $"three journal entries took {journal.Length} characters");
        Assert.True(emulator.Service<Depot.Emulator.Journal.RequestJournal>().Bytes <= 32L << 20);
        GC.Collect();
        Assert.True(Rss() - before < MaxGrowth, $"RSS grew by {(Rss() - before) >> 20} MiB");
    }

    /// <summary>Sixteen bombs at once, as parallel clients would send them.</summary>
    private static Task<(int, string?)[]> BombAsync(InMemoryEmulator emulator, byte[] bomb, string? token) =>
        Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/depot.core.v1.ProjectService/ListProjects") { Content = new ByteArrayContent(bomb) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/proto");
            request.Content.Headers.TryAddWithoutValidation("Content-Encoding", "gzip");
            if (token is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            }

            using var response = await emulator.Http.SendAsync(request);
            return ((int)response.StatusCode, HostileCase.CodeOf("application/json", await response.Content.ReadAsByteArrayAsync()));
        }));

    private static long Rss()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}
