using Depot.Emulator.BuildKit.Dockerfiles;

namespace Depot.Emulator.Tests.BuildKit;

public class DockerfileParserTests
{
    [Fact]
    public void Stages_instructions_flags_and_continuations_are_read_as_BuildKit_reads_them()
    {
        var dockerfile = DockerfileParser.Parse("""
            # syntax=docker/dockerfile:1
            ARG BASE=alpine:3.19
            FROM --platform=linux/amd64 ${BASE} AS Build
            # a comment between instructions
            RUN apk add \
                # comments inside a continuation are dropped
                make
            COPY --from=build --chown=1:1 /src /dst

            FROM scratch
            COPY --from=build /out /
            """);

        Assert.Equal(["ARG"], dockerfile.GlobalArgs.Select(a => a.Keyword));
        Assert.Equal(2, dockerfile.Stages.Count);
        var build = dockerfile.Stages[0];
        Assert.Equal("build", build.Name);
        Assert.Equal("${BASE}", build.BaseImage);
        Assert.Equal("linux/amd64", build.Platform);
        Assert.Equal("apk add     make", build.Instructions[0].Arguments);
        Assert.Equal(5, build.Instructions[0].Line);
        Assert.Equal("build", build.Instructions[1].Flag("from"));
        Assert.Equal("1:1", build.Instructions[1].Flag("chown"));
        Assert.Equal("stage-1", dockerfile.Stages[1].DisplayName);
    }

    [Fact]
    public void The_escape_directive_changes_the_continuation_character()
    {
        var dockerfile = DockerfileParser.Parse("# escape=`\nFROM alpine\nRUN echo a `\n  b\n");
        Assert.Equal('`', dockerfile.Escape);
        Assert.Equal("echo a   b", dockerfile.Stages[0].Instructions[0].Arguments);
    }

    [Fact]
    public void Heredocs_are_consumed_with_their_instruction()
    {
        var dockerfile = DockerfileParser.Parse("FROM alpine\nRUN <<EOF\necho one\nRUN not an instruction\nEOF\nCMD [\"sh\"]\n");
        var stage = dockerfile.Stages[0];
        Assert.Equal(["RUN", "CMD"], stage.Instructions.Select(i => i.Keyword));
        Assert.Contains("RUN not an instruction", stage.Instructions[0].Original);
    }

    [Theory]
    [InlineData("FROM alpine\nFORM x\n", "dockerfile parse error on line 2: unknown instruction: FORM")]
    [InlineData("RUN echo\n", "dockerfile parse error on line 1: no build stage in current context")]
    [InlineData("# only a comment\n", "the Dockerfile cannot be empty")]
    [InlineData("FROM a b\n", "dockerfile parse error on line 1: FROM requires either one or three arguments")]
    [InlineData("FROM a AS x\nFROM b AS X\n", "dockerfile parse error on line 2: duplicate stage name \"x\"")]
    [InlineData("FROM alpine\nRUN <<EOF\necho\n", "dockerfile parse error on line 2: unterminated heredoc EOF")]
    public void Bad_dockerfiles_are_refused_in_BuildKits_words(string text, string message)
    {
        var error = Assert.Throws<DockerfileParseException>(() => DockerfileParser.Parse(text));
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("$A/${B}", "1/2")]
    [InlineData("${MISSING:-fallback}", "fallback")]
    [InlineData("${A:+set}${MISSING:+set}", "set")]
    [InlineData("${EMPTY-default}|${EMPTY:-default}", "|default")]
    public void Variables_expand_with_defaults_and_alternatives(string text, string expanded)
    {
        var variables = new Dictionary<string, string> { ["A"] = "1", ["B"] = "2", ["EMPTY"] = "" };
        Assert.Equal(expanded, DockerfileParser.Expand(text, variables));
    }

    [Theory]
    [InlineData("[\"a\", \"b c\"]", new[] { "a", "b c" })]
    [InlineData("a 'b c' \"d\"", new[] { "a", "b c", "d" })]
    [InlineData("[not json", new[] { "[not", "json" })]
    public void Words_come_from_the_json_form_or_the_shell_form(string arguments, string[] words) =>
        Assert.Equal(words, DockerfileParser.SplitWords(arguments));

    [Theory]
    [InlineData("alpine", "docker.io/library/alpine:latest")]
    [InlineData("alpine:3.19", "docker.io/library/alpine:3.19")]
    [InlineData("acme/web", "docker.io/acme/web:latest")]
    [InlineData("localhost:4500/proj:tag", "localhost:4500/proj:tag")]
    [InlineData("ghcr.io/a/b@sha256:abc", "ghcr.io/a/b@sha256:abc")]
    public void Image_references_are_shown_in_full(string reference, string normalized) =>
        Assert.Equal(normalized, ImageReference.Normalize(reference));
}
