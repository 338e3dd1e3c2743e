using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Oidc;

/// <summary>The OIDC fixture (<c>seeds/oidc.yaml</c>) and helpers to mint CI tokens through the control plane.</summary>
public static partial class OidcTestSupport
{
    public const string CircleOrganization = "6a6f7e3c-1d2b-4c5a-9e8f-0a1b2c3d4e5f";
    public const string CircleProject = "5b4c3d2e-1f0a-4b9c-8d7e-6f5a4b3c2d1e";
    public const string RwxSubject = "mint:6a6f7e3c-1d2b-4c5a-9e8f-0a1b2c3d4e5f:depot";

    public static string SeedPath => Path.Combine(AppContext.BaseDirectory, "seeds", "oidc.yaml");

    public static readonly string[] Providers = ["github", "circleci", "buildkite", "gitlab", "rwx"];

    /// <summary>Claims that satisfy proj-web's trust policy of each provider.</summary>
    public static JsonObject TrustedClaims(string provider) => provider switch
    {
        "github" => new JsonObject { ["repository"] = "acme/web" },
        "circleci" => new JsonObject { ["sub"] = $"org/{CircleOrganization}/project/{CircleProject}/user/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0" },
        "buildkite" => new JsonObject { ["organization_slug"] = "acme", ["pipeline_slug"] = "web" },
        "gitlab" => new JsonObject { ["project_path"] = "acme/web", ["ref"] = "main" },
        "rwx" => new JsonObject { ["sub"] = RwxSubject },
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    public static async Task<string> MintAsync(HttpClient http, string provider, JsonObject? claims = null, string? query = null)
    {
        using var response = await http.PostAsync($"/_emulator/oidc/{provider}/token{query}",
            new StringContent((claims ?? TrustedClaims(provider)).ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(response.IsSuccessStatusCode, body?.ToJsonString());
        return body!["token"]!.GetValue<string>();
    }

    /// <summary>The environment each CI system gives a job, pointed at the emulator's fake provider.</summary>
    public static async Task<Dictionary<string, string?>> CiEnvironmentAsync(string provider, string url, HttpClient http)
    {
        var env = new Dictionary<string, string?>
        {
            ["ACTIONS_ID_TOKEN_REQUEST_URL"] = null,
            ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = null,
            ["GITHUB_EVENT_NAME"] = null,
            ["GITLAB_CI"] = null,
            ["DEPOT_OIDC_TOKEN"] = null,
            ["CIRCLE_OIDC_TOKEN_V2"] = null,
            ["BUILDKITE_AGENT_ACCESS_TOKEN"] = null,
            ["BUILDKITE_AGENT_ENDPOINT"] = null,
            ["BUILDKITE_JOB_ID"] = null,
        };
        switch (provider)
        {
            case "github":
                env["ACTIONS_ID_TOKEN_REQUEST_URL"] = $"{url}/_emulator/oidc/github/idtoken?api-version=2.0&repository=acme/web";
                env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = "runner-request-token";
                break;
            case "circleci":
                env["CIRCLE_OIDC_TOKEN_V2"] = await MintAsync(http, "circleci");
                break;
            case "buildkite":
                env["BUILDKITE_AGENT_ENDPOINT"] = $"{url}/_emulator/oidc/buildkite/agent/acme/web";
                env["BUILDKITE_JOB_ID"] = "01890000-0000-4000-8000-000000000001";
                env["BUILDKITE_AGENT_ACCESS_TOKEN"] = "agent-access-token";
                break;
            case "gitlab":
                env["GITLAB_CI"] = "true";
                env["DEPOT_OIDC_TOKEN"] = await MintAsync(http, "gitlab");
                break;
            case "rwx":
                env["DEPOT_TOKEN"] = await MintAsync(http, "rwx");
                break;
        }

        return env;
    }

    /// <summary>Output with the random parts (pull tokens) masked, for snapshots.</summary>
    public static string Stable(string output) => PullToken().Replace(output.Trim(), "depot_pull_<redacted>");

    [GeneratedRegex(@"depot_pull_[A-Za-z0-9]+")]
    private static partial Regex PullToken();
}
