using Depot.Emulator.Domain.Builds;

namespace Depot.Emulator.Tests.Storage;

public abstract class BuildStoreConformance<TStores> : StoreConformance<TStores>
    where TStores : StoreImplementation, new()
{
    private static Build Build(string id, string project = "p1") =>
        new(id, project, "org-a", BuildOrigin.Cli, T0, [Target], "tok-" + id, T0);

    private static readonly BuildTarget Target = new("build", ["registry.depot.dev/p1:v1"], false, true, true, ["v1"], "app", false,
        [new BuildOutput("image", new Dictionary<string, string> { ["push"] = "false" })]);

    [Fact]
    public void A_build_reads_back_with_its_targets_and_state()
    {
        var finished = Build("b1") with
        {
            State = BuildState.Failed, StartedAt = T0.AddSeconds(1), FinishedAt = T0.AddSeconds(2), Error = "exit code: 1",
            CancelsAt = T0.AddSeconds(3), ShareId = "share-1",
        };
        Assert.True(Stores.Builds.Add(Build("b1")));
        Assert.False(Stores.Builds.Add(Build("b1")));
        Assert.True(Stores.Builds.Update(finished));
        Assert.False(Stores.Builds.Update(Build("b2")));
        Reopen();
        var found = Stores.Builds.Find("b1")!;
        Assert.Equal(finished with { Targets = found.Targets }, found);
        var target = Assert.Single(found.Targets);
        Assert.Equal((Target.Command, Target.TargetName, Target.Save), (target.Command, target.TargetName, target.Save));
        Assert.Equal(Target.Tags, target.Tags);
        Assert.Equal(Target.SaveTags, target.SaveTags);
        Assert.Equal("false", Assert.Single(target.Outputs).Attributes["push"]);
        Assert.Equal("b1", Stores.Builds.FindShared("share-1")!.Id);
        Assert.Null(Stores.Builds.FindShared("share-2"));
        Assert.Null(Stores.Builds.Find("b2"));
    }

    [Fact]
    public void Dockerfiles_keep_their_order_and_are_replaced_whole()
    {
        Stores.Builds.Add(Build("b1"));
        Stores.Builds.AddDockerfile("b1", new BuildDockerfile("app", "Dockerfile", "FROM scratch\n"));
        Stores.Builds.AddDockerfile("b1", new BuildDockerfile("api", "api.Dockerfile", "FROM alpine\n"));
        Reopen();
        Assert.Equal(["app", "api"], Stores.Builds.Dockerfiles("b1").Select(d => d.Target));
        Stores.Builds.ReplaceDockerfiles("b1", [new BuildDockerfile("web", "Dockerfile", "FROM busybox\n")]);
        Assert.Equal([new BuildDockerfile("web", "Dockerfile", "FROM busybox\n")], Stores.Builds.Dockerfiles("b1"));
        Assert.Empty(Stores.Builds.Dockerfiles("b2"));
    }

    [Fact]
    public void Pushes_are_kept_per_build_and_finished_in_place()
    {
        Stores.Builds.Add(Build("b1"));
        Stores.Builds.PutPush(new BuildPush("push-2", "b1", "v2", T0.AddSeconds(2)));
        Stores.Builds.PutPush(new BuildPush("push-1", "b1", "v1", T0.AddSeconds(1)));
        Stores.Builds.PutPush(new BuildPush("push-1", "b1", "v1", T0.AddSeconds(1), T0.AddSeconds(5), "denied"));
        Reopen();
        Assert.Equal(new BuildPush("push-1", "b1", "v1", T0.AddSeconds(1), T0.AddSeconds(5), "denied"), Stores.Builds.FindPush("push-1"));
        Assert.Equal(["push-1", "push-2"], Stores.Builds.Pushes("b1").Select(p => p.Id));
        Assert.Null(Stores.Builds.FindPush("push-3"));
    }

    [Fact]
    public void A_builder_is_asked_for_once_until_forgotten()
    {
        Stores.Builds.Add(Build("b1"));
        Assert.True(Stores.Builds.MarkBuilderAsked("b1", "linux/amd64"));
        Assert.False(Stores.Builds.MarkBuilderAsked("b1", "linux/amd64"));
        Assert.True(Stores.Builds.MarkBuilderAsked("b1", "linux/arm64"));
        Assert.True(Stores.Builds.ForgetBuilder("b1", "linux/amd64"));
        Assert.False(Stores.Builds.ForgetBuilder("b1", "linux/amd64"));
        Assert.True(Stores.Builds.MarkBuilderAsked("b1", "linux/amd64"));
    }

    [Fact]
    public void Deleting_a_project_takes_its_builds_and_all_they_hold()
    {
        Stores.Builds.Add(Build("b1"));
        Stores.Builds.Add(Build("b2", project: "p2"));
        Stores.Builds.AddDockerfile("b1", new BuildDockerfile("app", "Dockerfile", "FROM scratch\n"));
        Stores.Builds.PutPush(new BuildPush("push-1", "b1", "v1", T0));
        Stores.Builds.MarkBuilderAsked("b1", "linux/amd64");
        Stores.Builds.DeleteProject("p1");
        Assert.Null(Stores.Builds.Find("b1"));
        Assert.Empty(Stores.Builds.Dockerfiles("b1"));
        Assert.Null(Stores.Builds.FindPush("push-1"));
        Assert.Equal(["b2"], Stores.Builds.All().Select(b => b.Id));
        Stores.Builds.Add(Build("b1"));
        Assert.True(Stores.Builds.MarkBuilderAsked("b1", "linux/amd64"));
        Stores.Builds.Clear();
        Assert.Empty(Stores.Builds.All());
    }
}

public sealed class MemoryBuildStoreTests : BuildStoreConformance<MemoryStores>;

public sealed class SqliteBuildStoreTests : BuildStoreConformance<SqliteStores>;
