using Switchyard.Http;
using Switchyard.Keys;

namespace Switchyard.Ui;

/// <summary><c>GET /ui/keys</c>: the API keys; create (the new key is shown once) and revoke (after a confirmation), admin only.</summary>
internal static class KeysPage
{
    private const int MaxNameLength = 100;

    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapGet("/keys", PageAsync);
        ui.MapPost("/keys", CreateAsync);
        ui.MapPost("/keys/{id}/revoke", RevokeAsync);
    }

    private static async Task<IResult> PageAsync(HttpContext http, IKeyStore keys) =>
        await RenderAsync(http, keys, HtmlRaw.Empty, StatusCodes.Status200OK);

    private static async Task<IResult> CreateAsync(HttpContext http, IKeyStore keys, TimeProvider time)
    {
        if (!await UiEndpoints.ValidateFormAsync(http))
        {
            return UiEndpoints.FormExpired();
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var name = form["name"].ToString().Trim();
        if (name.Length == 0 || name.Length > MaxNameLength)
        {
            return await RenderAsync(http, keys, UiPage.Notice("error", $"name: give the key a name of 1 to {MaxNameLength} characters (who or what uses it)."), StatusCodes.Status400BadRequest, invalidName: true);
        }

        var admin = form["admin"].ToString() == "on";
        var (key, record) = ApiKeys.Create(name, admin, time.GetUtcNow());
        await keys.AddAsync(record, http.RequestAborted);

        // Shown once, in this answer only (no-store): the store keeps only its hash.
        var created = Html.Of($"""
            <div class="notice ok" role="status" id="new-key">
              <p><strong>Created {record.Id}</strong> ({name}{(admin ? ", admin" : string.Empty)}). Copy the key now: it is not shown again.</p>
              <p class="secret" aria-label="The new key">{key}</p>
            </div>
            """);
        return await RenderAsync(http, keys, created, StatusCodes.Status200OK);
    }

    private static async Task<IResult> RevokeAsync(string id, HttpContext http, IKeyStore keys, ApiKeyFilter authenticator, TimeProvider time)
    {
        if (!await UiEndpoints.ValidateFormAsync(http))
        {
            return UiEndpoints.FormExpired();
        }

        var revoked = await keys.RevokeAsync(id, time.GetUtcNow(), http.RequestAborted);
        authenticator.Forget(id);
        var note = revoked
            ? UiPage.Notice("ok", $"Revoked {id}: requests with it are refused from now on." + (id == CallerKey.From(http).Id ? " That was this session's key: sign in with another admin key." : string.Empty))
            : UiPage.Notice("error", $"No active key {id}.");
        return await RenderAsync(http, keys, note, revoked ? StatusCodes.Status200OK : StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> RenderAsync(HttpContext http, IKeyStore keys, HtmlRaw notice, int status, bool invalidName = false)
    {
        var list = await keys.ListAsync(http.RequestAborted);
        var csrf = UiPage.Csrf(http);
        var rows = HtmlRaw.Join(list.Select(k => Html.Of($"""
            <tr>
              <th scope="row"><code>{k.Id}</code></th>
              <td>{k.Name}</td>
              <td>{(k.IsAdmin ? UiPage.Badge("admin") : Html.Of($"<span class=\"muted\">standard</span>"))}</td>
              <td>{UiFormat.TimeTag(k.CreatedAt)}</td>
              <td>{(k.RevokedAt is { } at ? HtmlRaw.Join([UiPage.Badge("revoked"), Html.Of($" {UiFormat.TimeTag(at)}")]) : UiPage.Badge("active", "ok"))}</td>
              <td>{(k.RevokedAt is null
                  ? Html.Of($"""<form method="post" action="/ui/keys/{k.Id}/revoke" class="inline" data-confirm="Revoke {k.Id} ({k.Name})? Requests with it are refused at once; this cannot be undone.">{csrf}<button type="submit" class="danger" aria-label="Revoke {k.Id}">Revoke</button></form>""")
                  : HtmlRaw.Empty)}</td>
            </tr>
            """)));
        var body = Html.Of($"""
            <h1>API keys</h1>
            {notice}
            <section class="panel" aria-labelledby="h-create"><h2 id="h-create">Create a key</h2>
              <form method="post" action="/ui/keys" class="filters">
                {csrf}
                <div><label for="key-name">Name</label><input type="text" id="key-name" name="name" maxlength="{MaxNameLength}" required placeholder="e.g. web-app"{(invalidName ? new HtmlRaw(" aria-invalid=\"true\"") : HtmlRaw.Empty)}></div>
                <div><input type="checkbox" id="key-admin" name="admin"> <label for="key-admin" class="inline">Admin (sees every key's runs, alerts, metrics and this dashboard)</label></div>
                <div><button type="submit">Create key</button></div>
              </form>
            </section>
            <section class="panel" aria-labelledby="h-keys"><h2 id="h-keys">Keys</h2>
              <div class="table-wrap"><table id="keys-table"><thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Created</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead><tbody>{rows}</tbody></table></div>
            </section>
            """);
        return UiPage.Render(http, "Keys", "keys", body, status);
    }
}
