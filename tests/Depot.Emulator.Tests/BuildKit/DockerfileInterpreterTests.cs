using System.Text;
using Depot.Emulator.BuildKit.Dockerfiles;

namespace Depot.Emulator.Tests.BuildKit;

public class DockerfileInterpreterTests
{
    private static VirtualFs Context(params (string Path, string Text)[] files)
    {
        var fs = new VirtualFs();
        foreach (var (path, text) in files)
        {
            fs.Put(path, FsEntry.File(Encoding.UTF8.GetBytes(text)));
        }

        return fs;
    }

    private static Interpretation Run(string dockerfile, VirtualFs? context = null, string? failWith = null, Dictionary<string, string>? args = null) =>
        DockerfileInterpreter.Execute(
            BuildPlan.Create(DockerfileParser.Parse(dockerfile), new PlanOptions("Dockerfile", null, args ?? [])),
            context ?? new VirtualFs(), failWith);

    [Fact]
    public void Copy_places_files_relative_to_the_workdir_and_run_adds_nothing()
    {
        var result = Run("""
            FROM alpine
            WORKDIR /app
            COPY src/ ./
            COPY README.md docs/
            RUN rm -rf /app
            """, Context(("/src/main.go", "package main"), ("/src/lib/x.go", "x"), ("/README.md", "# readme")));

        Assert.Null(result.Error);
        var files = result.Image!.Files;
        Assert.Equal("package main", Encoding.UTF8.GetString(files.Find("/app/main.go")!.Data));
        Assert.NotNull(files.Find("/app/lib/x.go"));
        Assert.NotNull(files.Find("/app/docs/README.md"));
        Assert.Equal([DockerfileInterpreter.NotRunLog], result.Steps.Single(s => s.Step.Instruction.Keyword == "RUN").Logs);
    }

    [Fact]
    public void Copy_from_an_earlier_stage_takes_that_stages_files()
    {
        var result = Run("""
            FROM alpine AS build
            COPY app.sh /out/app.sh
            FROM scratch
            COPY --from=build /out/app.sh /usr/bin/app
            """, Context(("/app.sh", "#!/bin/sh")));

        Assert.Equal("#!/bin/sh", Encoding.UTF8.GetString(result.Image!.Files.Find("/usr/bin/app")!.Data));
        Assert.Null(result.Image.Files.Find("/out/app.sh"));
    }

    [Fact]
    public void Wildcards_match_within_one_directory()
    {
        var result = Run("FROM alpine\nCOPY *.txt /t/\n", Context(("/a.txt", "a"), ("/b.txt", "b"), ("/sub/c.txt", "c")));
        Assert.Equal(["/t", "/t/a.txt", "/t/b.txt"], result.Image!.Files.Entries.Keys);
    }

    [Fact]
    public void A_missing_copy_source_fails_its_step_as_BuildKit_does()
    {
        var result = Run("FROM alpine\nCOPY missing.txt /\nRUN true\n");
        Assert.StartsWith("failed to compute cache key: failed to calculate checksum of ref ", result.Error);
        Assert.EndsWith(": \"/missing.txt\": not found", result.Error);
        Assert.Null(result.Image);
        Assert.Equal(2, result.Steps.Count);
    }

    [Fact]
    public void A_scripted_failure_fails_the_last_run_step()
    {
        var result = Run("FROM alpine\nRUN make\nCOPY a /a\n", Context(("/a", "a")), failWith: "exit code: 2");
        Assert.Equal("exit code: 2", result.Error);
        Assert.Equal("[2/3] RUN make", result.Steps[^1].Step.Name);
    }

    [Fact]
    public void Metadata_instructions_shape_the_image_configuration()
    {
        var config = Run("""
            FROM alpine
            ARG VERSION=1.0
            ENV APP_VERSION=$VERSION HOME=/home/app
            ENV LEGACY value with spaces
            LABEL org.opencontainers.image.version="${APP_VERSION}"
            EXPOSE 8080 53/udp
            USER app
            WORKDIR $HOME
            VOLUME ["/data"]
            ENTRYPOINT ["/app"]
            CMD --serve
            STOPSIGNAL SIGTERM
            """, args: new() { ["VERSION"] = "2.0" }).Image!.Config;

        Assert.Equal([ImageConfig.DefaultPath, "APP_VERSION=2.0", "HOME=/home/app", "LEGACY=value with spaces"], config.Env);
        Assert.Equal("2.0", config.Labels["org.opencontainers.image.version"]);
        Assert.Equal(["53/udp", "8080/tcp"], config.ExposedPorts);
        Assert.Equal("app", config.User);
        Assert.Equal("/home/app", config.WorkingDir);
        Assert.Equal(["/data"], config.Volumes);
        Assert.Equal(["/app"], config.Entrypoint);
        Assert.Equal(["/bin/sh", "-c", "--serve"], config.Cmd);
        Assert.Equal("SIGTERM", config.StopSignal);
    }

    [Fact]
    public void The_same_inputs_give_the_same_digests_and_other_inputs_other_ones()
    {
        const string dockerfile = "FROM alpine\nCOPY a /a\nRUN build\n";
        var first = Run(dockerfile, Context(("/a", "one"))).Steps.Select(s => s.Digest).ToList();
        var again = Run(dockerfile, Context(("/a", "one"))).Steps.Select(s => s.Digest).ToList();
        var changed = Run(dockerfile, Context(("/a", "two"))).Steps.Select(s => s.Digest).ToList();

        Assert.Equal(first, again);
        Assert.Equal(first[0], changed[0]);
        Assert.NotEqual(first[1], changed[1]);
        Assert.NotEqual(first[2], changed[2]);
    }

    [Theory]
    [InlineData("FROM alpine\nADD https://example.com/x.tgz /x\n", "ADD https://example.com/x.tgz: the emulator works offline and fetches nothing")]
    [InlineData("FROM alpine\nCOPY --from=nginx:latest /etc/nginx /etc/nginx\n", "COPY --from=nginx:latest needs an image the emulator cannot pull; only earlier stages can be copied from")]
    public void What_needs_the_network_fails_with_a_reason(string dockerfile, string error) =>
        Assert.Equal(error, Run(dockerfile).Error);
}
