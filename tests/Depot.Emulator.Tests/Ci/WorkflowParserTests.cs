using Depot.Emulator.Domain.Ci;
using Depot.Emulator.Domain.Errors;

namespace Depot.Emulator.Tests.Ci;

public class WorkflowParserTests
{
    [Fact]
    public void Jobs_needs_and_a_matrix_are_expanded_in_the_files_order()
    {
        var workflow = WorkflowParser.Parse(".depot/workflows/ci.yml", """
            name: CI
            on:
              workflow_dispatch:
                inputs:
                  environment: {default: staging}
                  dry_run: {}
            jobs:
              build:
                steps: [{run: make}]
              test:
                needs: build
                name: test ${{ matrix.os }}
                strategy:
                  matrix:
                    os: [linux, mac]
                    node: [20, 22]
                    exclude: [{os: mac, node: 20}]
                steps: [{run: make test}, {uses: actions/checkout@v4, name: Checkout}]
              deploy:
                needs: [test]
                if: github.ref == 'refs/heads/main'
                steps: [{run: make deploy}]
            """);

        Assert.Equal("CI", workflow.Name);
        Assert.Equal(["build", "test (linux, 20)", "test (linux, 22)", "test (mac, 22)", "deploy"], workflow.Jobs.Select(j => j.Key));
        Assert.Equal("test linux", workflow.Jobs[1].DisplayName);
        Assert.Equal(["test (linux, 20)", "test (linux, 22)", "test (mac, 22)"], workflow.Jobs[4].Needs);
        Assert.Equal("Checkout", workflow.Jobs[1].Steps[1].Name);
        Assert.Equal("Run make test", workflow.Jobs[1].Steps[0].Name);
        Assert.Equal("staging", workflow.InputDefaults["environment"]);
        Assert.Equal("", workflow.InputDefaults["dry_run"]);
    }

    [Theory]
    [InlineData("jobs: {}", "has no jobs")]
    [InlineData("jobs: {a: {steps: [{run: x}], needs: b}}", "needs b, which the workflow does not define")]
    [InlineData("jobs: {a: {needs: b, steps: [{run: x}]}, b: {needs: a, steps: [{run: x}]}}", "depends on itself")]
    [InlineData("jobs: {a: {steps: []}}", "has no steps")]
    [InlineData("jobs: {a: {steps: [{name: nothing}]}}", "needs exactly one of run and uses")]
    [InlineData("jobs: [a", "is not valid YAML")]
    public void Bad_workflows_are_refused_with_the_reason(string content, string reason)
    {
        var e = Assert.Throws<DepotException>(() => WorkflowParser.Parse("ci.yml", content));
        Assert.Equal(DepotErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData(null, false, true)]
    [InlineData(null, true, false)]
    [InlineData("always()", true, true)]
    [InlineData("failure()", true, true)]
    [InlineData("failure()", false, false)]
    [InlineData("${{ inputs.environment == 'prod' }}", false, true)]
    [InlineData("inputs.environment != 'prod' || matrix.os == 'linux'", false, true)]
    [InlineData("!(matrix.os == 'linux') && success()", false, false)]
    [InlineData("vars.ENABLED == 'true'", false, false)]
    [InlineData("github.event_name == 'push'", false, true)]
    public void Simple_if_expressions_evaluate_as_on_github(string? condition, bool failed, bool expected)
    {
        var context = new ExpressionContext
        {
            Inputs = new Dictionary<string, string> { ["environment"] = "prod" },
            Matrix = new Dictionary<string, string> { ["os"] = "linux" },
            Github = new Dictionary<string, string> { ["event_name"] = "push" },
            Failed = failed,
        };
        Assert.Equal(expected, Expressions.Evaluate(condition, context));
    }

    [Fact]
    public void Substitution_fills_contexts_and_never_prints_a_secret()
    {
        var context = new ExpressionContext { Inputs = new Dictionary<string, string> { ["env"] = "prod" } };
        Assert.Equal("deploy prod with ***", Expressions.Substitute("deploy ${{ inputs.env }} with ${{ secrets.TOKEN }}", context));
    }
}
