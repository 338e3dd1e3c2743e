using System.Net;
using Depot.Emulator.Domain.Errors;
using Depot.Emulator.Domain.Login;
using Depot.Emulator.Domain.State;

namespace Depot.Emulator.ControlPlane;

/// <summary>The page <c>depot login</c> sends a person to, and its headless twin.</summary>
internal static class LoginPage
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/login", (LoginRequests logins) => Results.Ok(new
        {
            pending = logins.Pending().Select(l => new { id = l.Id, startedAt = l.StartedAt }),
        }));

        group.MapGet("/login/{id}", (string id, LoginRequests logins, DepotState state) =>
        {
            var login = logins.Find(id);
            return login is null
                ? HtmlPage.Content(Page("Unknown login", "<p>This login request does not exist or has expired.</p>"), 404)
                : HtmlPage.Content(Page("Approve depot login", Form(login, state)));
        });

        group.MapPost("/login/{id}/approve", async (string id, HttpRequest request, LoginRequests logins) =>
        {
            var fromForm = request.HasFormContentType;
            var user = fromForm
                ? (await request.ReadFormAsync()).TryGetValue("user", out var value) ? value.ToString() : null
                : (await ControlPlaneEndpoints.ReadJsonAsync<ApproveRequest>(request)).User;
            if (string.IsNullOrEmpty(user))
            {
                throw DepotErrors.Required("user");
            }

            logins.Approve(id, user);
            return fromForm
                ? HtmlPage.Content(Page("Login approved", $"<p>Signed in as <b>{Html(user)}</b>. You can close this page and return to the terminal.</p>"))
                : Results.Ok(new { approved = true, id, user });
        });
    }

    private static string Form(PendingLogin login, DepotState state)
    {
        var users = state.Users();
        if (users.Count == 0)
        {
            return "<p>The seed has no users to sign in as.</p>";
        }

        var options = string.Concat(users.Select(u =>
            $"<label><input type=\"radio\" name=\"user\" value=\"{Html(u.Id)}\"{(u == users[0] ? " checked" : "")}> {Html(u.Name)} &lt;{Html(u.Email)}&gt; <small>{Html(string.Join(", ", u.OrganizationIds))}</small></label><br>"));
        return $"<p>The Depot CLI asks to sign in (request <code>{Html(login.Id)}</code>). Choose a user:</p>" +
               $"<form method=\"post\" action=\"/_emulator/login/{Html(login.Id)}/approve\">{options}<p><button type=\"submit\">Approve</button></p></form>";
    }

    private static string Page(string title, string body) =>
        $"<!doctype html><html><head><meta charset=\"utf-8\"><title>{Html(title)} · Depot Emulator</title>" +
        "<style>body{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;}label{line-height:2}</style></head>" +
        $"<body><h1>{Html(title)}</h1>{body}</body></html>";

    private static string Html(string text) => WebUtility.HtmlEncode(text);

    private sealed record ApproveRequest(string? User);
}
