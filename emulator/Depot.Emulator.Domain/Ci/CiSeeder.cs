using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Seeding;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.Domain.Ci;

/// <summary>A seed's <c>ci:</c> section: repositories, secrets, variables, and runs to start with.</summary>
public static class CiSeeder
{
    public static void Apply(SeedCi seed, DepotState state, CiRepositories repositories, CiSettings settings, CiEngine engine)
    {
        foreach (var repository in seed.Repositories)
        {
            repositories.Map(Required(repository.Repo, "ci.repositories[].repo"), Required(repository.Path, "ci.repositories[].path"));
        }

        foreach (var secret in seed.Secrets)
        {
            settings.SetSecret(Organization(state, secret.Organization), Required(secret.Name, "ci.secrets[].name"), secret.Repo ?? "default",
                Required(secret.Value, "ci.secrets[].value"), secret.Description, Attributes(secret.Repo));
        }

        foreach (var variable in seed.Variables)
        {
            settings.SetVariable(Organization(state, variable.Organization), Required(variable.Name, "ci.variables[].name"), variable.Repo ?? "default",
                Required(variable.Value, "ci.variables[].value"), variable.Description, Attributes(variable.Repo));
        }

        foreach (var run in seed.Runs)
        {
            var repo = Required(run.Repo, "ci.runs[].repo");
            var workflow = Required(run.Workflow, "ci.runs[].workflow");
            var (path, content) = run.Content is { } text ? (workflow, text) : repositories.Workflow(repo, Path.GetFileName(workflow));
            engine.StartRun(Organization(state, run.Organization), repo, run.Sha ?? "", run.Ref ?? "", "cli", [(path, content)], []);
        }
    }

    private static List<KeyValuePair<string, string>> Attributes(string? repo) => repo is null ? [] : [KeyValuePair.Create("repository", repo)];

    private static string Organization(DepotState state, string? id) =>
        state.FindOrganization(Required(id, "ci organization"))?.Id ?? throw DepotErrors.Invalid($"ci: organization {id} is not in the seed");

    private static string Required(string? value, string what) =>
        string.IsNullOrEmpty(value) ? throw DepotErrors.Invalid($"seed: {what} is required") : value;
}
