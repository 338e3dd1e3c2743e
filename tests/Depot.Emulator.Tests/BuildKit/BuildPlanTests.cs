using Depot.Emulator.BuildKit.Dockerfiles;

namespace Depot.Emulator.Tests.BuildKit;

public class BuildPlanTests
{
    private static BuildPlan Plan(string dockerfile, string? target = null, Dictionary<string, string>? args = null) =>
        BuildPlan.Create(DockerfileParser.Parse(dockerfile), new PlanOptions("Dockerfile", target, args ?? []));

    [Fact]
    public void A_single_stage_is_numbered_without_a_prefix()
    {
        var plan = Plan("FROM alpine:3.19\nENV A=1\nRUN echo hi\nCOPY . /app\nCMD [\"sh\"]\n");
        Assert.Equal(
            ["[1/3] FROM docker.io/library/alpine:3.19", "[2/3] RUN echo hi", "[3/3] COPY . /app"],
            plan.Steps.Select(s => s.Name));
        Assert.True(plan.UsesContext);
    }

    [Fact]
    public void Several_stages_carry_their_names_and_only_needed_stages_run()
    {
        const string dockerfile = """
            FROM golang:1.22 AS build
            WORKDIR /src
            COPY . .
            FROM alpine AS unused
            RUN echo never
            FROM scratch
            COPY --from=build /src/app /app
            """;
        var plan = Plan(dockerfile);
        Assert.Equal(
            ["[build 1/3] FROM docker.io/library/golang:1.22", "[build 2/3] WORKDIR /src", "[build 3/3] COPY . .", "[stage-2 1/1] COPY --from=build /src/app /app"],
            plan.Steps.Select(s => s.Name));

        var unused = Plan(dockerfile, target: "unused");
        Assert.Equal(["[unused 1/2] FROM docker.io/library/alpine:latest", "[unused 2/2] RUN echo never"], unused.Steps.Select(s => s.Name));
        Assert.False(unused.UsesContext);
    }

    [Fact]
    public void Global_args_and_build_args_choose_the_base_image()
    {
        var plan = Plan("ARG TAG=3.18\nFROM alpine:${TAG}\n", args: new() { ["TAG"] = "3.20" });
        Assert.Equal("docker.io/library/alpine:3.20", plan.ExternalBases.Values.Single());
    }

    [Fact]
    public void An_unknown_target_is_refused() =>
        Assert.Equal("target stage \"nope\" could not be found",
            Assert.Throws<DockerfileParseException>(() => Plan("FROM alpine\n", target: "nope")).Message);
}
