using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;

namespace Switchyard.Ui;

/// <summary>The page shell every dashboard page is rendered in: landmarks, navigation, the session, the page's own body.</summary>
internal static class UiPage
{
    public const string ContentType = "text/html; charset=utf-8";

    /// <summary>A whole page for a signed-in operator.</summary>
    public static IResult Render(HttpContext http, string title, string active, HtmlRaw body, int status = StatusCodes.Status200OK)
    {
        var page = new Html();
        Head(page, title);
        var keyId = http.User.FindFirstValue(ClaimTypes.NameIdentifier);
        page.Add($"""
            <a class="skip-link" href="#main">Skip to content</a>
            <header class="top">
              <a class="brand" href="/ui">Switchyard</a>
              <nav aria-label="Dashboard"><ul>
            """);
        foreach (var item in UiNavigation.Items)
        {
            var current = item.Id == active ? Html.Of($" aria-current=\"page\"") : HtmlRaw.Empty;
            page.Add($"""<li><a href="{item.Path}"{current}>{item.Label}</a></li>""");
        }

        page.Add($"""
              </ul></nav>
              <div class="session"><span>Signed in with <code>{keyId}</code></span>
                <form method="post" action="/ui/logout" class="inline">{Csrf(http)}<button type="submit">Sign out</button></form>
              </div>
            </header>
            <main id="main">
            {body}
            </main>
            </body>
            </html>
            """);
        return Results.Content(page.ToString(), ContentType, statusCode: status);
    }

    /// <summary>A page without the navigation (the sign-in form).</summary>
    public static IResult Bare(string title, HtmlRaw body, int status = StatusCodes.Status200OK)
    {
        var page = new Html();
        Head(page, title);
        page.Add($"""
            <main id="main">
            {body}
            </main>
            </body>
            </html>
            """);
        return Results.Content(page.ToString(), ContentType, statusCode: status);
    }

    /// <summary>The hidden antiforgery field every POST form carries.</summary>
    public static HtmlRaw Csrf(HttpContext http)
    {
        var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
        var tokens = antiforgery.GetAndStoreTokens(http);
        return Html.Of($"""<input type="hidden" name="{tokens.FormFieldName}" value="{tokens.RequestToken}">""");
    }

    /// <summary>A panel with a heading, labelled by it.</summary>
    public static HtmlRaw Panel(string id, string heading, HtmlRaw content) =>
        Html.Of($"""<section class="panel" aria-labelledby="{id}"><h2 id="{id}">{heading}</h2>{content}</section>""");

    /// <summary>A status word as a coloured badge (the word itself is the information; colour only repeats it).</summary>
    public static HtmlRaw Badge(string? word, string? cssClass = null) =>
        word is null ? Html.Of($"""<span class="muted">—</span>""") : Html.Of($"""<span class="badge {cssClass ?? word}">{word}</span>""");

    public static HtmlRaw Notice(string kind, string text) => Html.Of($"""<div class="notice {kind}" role="{(kind == "error" ? "alert" : "status")}">{text}</div>""");

    private static void Head(Html page, string title) => page.Add($"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{title} · Switchyard</title>
        <link rel="stylesheet" href="{UiAssets.StylePath}">
        <script src="{UiAssets.ScriptPath}" defer></script>
        </head>
        <body>
        """);
}
