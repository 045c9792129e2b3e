using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;

namespace Switchyard.Ui;

/// <summary>
/// The dashboard at <c>/ui</c>: server-rendered HTML with inline SVG charts, behind the admin key. Signing in
/// with the admin key gives a session cookie (<see cref="UiSession"/>); every POST form carries an antiforgery
/// token; every answer carries a strict Content-Security-Policy.
/// </summary>
/// <remarks>
/// A page is a static class with a <c>Map(RouteGroupBuilder ui)</c> method that maps its GET (and POST) handlers
/// under the signed-in group and renders with <see cref="UiPage.Render"/>; it adds its entry to
/// <see cref="UiNavigation.Items"/>. POST handlers call <see cref="ValidateFormAsync"/> first.
/// </remarks>
internal static class UiEndpoints
{
    public const string FragmentHeader = "x-switchyard-fragment";

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void MapDashboard(this IEndpointRouteBuilder app)
    {
        var ui = app.MapGroup("/ui").AddEndpointFilter(SecurityHeaders).ExcludeFromDescription();
        ui.MapAssets();
        ui.MapGet("/login", LoginForm);
        ui.MapPost("/login", LoginAsync);

        var pages = ui.MapGroup(string.Empty).AddEndpointFilter(RequireSessionAsync);
        pages.MapPost("/logout", (Func<HttpContext, Task<IResult>>)LogoutAsync);
        OverviewPage.Map(pages);
        RunsPage.Map(pages);
        ProvidersPage.Map(pages);
        AlertsPage.Map(pages);
        JobsPage.Map(pages);
        WebhooksPage.Map(pages);
        KeysPage.Map(pages);
    }

    /// <summary>Whether the POSTed form carries a valid antiforgery token; false also answers the request's caller with nothing more.</summary>
    public static async Task<bool> ValidateFormAsync(HttpContext http)
    {
        var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
        return await antiforgery.IsRequestValidAsync(http);
    }

    /// <summary>What a POST without a valid antiforgery token gets.</summary>
    public static IResult FormExpired() => UiPage.Bare(
        "Form expired",
        Html.Of($"""<div class="login panel"><h1>This form has expired</h1><p>The form's security token is missing or no longer valid. <a href="/ui">Go back to the dashboard</a> and try again.</p></div>"""),
        StatusCodes.Status400BadRequest);

    private static async ValueTask<object?> SecurityHeaders(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var headers = context.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        if (!context.HttpContext.Request.Path.StartsWithSegments("/ui/assets", StringComparison.Ordinal))
        {
            headers.CacheControl = "no-store";
        }

        return await next(context);
    }

    private static async ValueTask<object?> RequireSessionAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var session = http.RequestServices.GetRequiredService<UiSession>();
        var key = await session.ValidateAsync(http.Request.Cookies[UiSession.CookieName], http.RequestAborted);
        if (key is null)
        {
            if (http.Request.Headers.ContainsKey(FragmentHeader))
            {
                return Results.StatusCode(StatusCodes.Status401Unauthorized);
            }

            var back = HttpMethods.IsGet(http.Request.Method) ? http.Request.Path + http.Request.QueryString : "/ui";
            return Results.Redirect("/ui/login?next=" + Uri.EscapeDataString(back.ToString()));
        }

        // The antiforgery tokens are bound to this identity, so a token from another session is refused.
        http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, key.Id), new Claim(ClaimTypes.Name, key.Name)], "switchyard-ui"));
        Http.CallerKey.Set(http, key);
        return await next(context);
    }

    private static IResult LoginForm(HttpContext http, string? next) => LoginPage(http, next, null, StatusCodes.Status200OK);

    private static async Task<IResult> LoginAsync(HttpContext http, UiSession session)
    {
        if (!await ValidateFormAsync(http))
        {
            return FormExpired();
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var next = form["next"].ToString();
        var (key, problem, status) = await session.CheckKeyAsync(form["key"].ToString(), http.RequestAborted);
        if (key is null)
        {
            return LoginPage(http, next, problem, status);
        }

        var (value, _) = await session.IssueAsync(key, http.RequestAborted);
        http.Response.Cookies.Append(UiSession.CookieName, value, SessionCookie(http, UiSession.Lifetime));
        return Results.Redirect(SafeNext(next), permanent: false, preserveMethod: false);
    }

    private static async Task<IResult> LogoutAsync(HttpContext http)
    {
        if (!await ValidateFormAsync(http))
        {
            return FormExpired();
        }

        http.Response.Cookies.Delete(UiSession.CookieName, SessionCookie(http, null));
        return Results.Redirect("/ui/login");
    }

    private static IResult LoginPage(HttpContext http, string? next, string? problem, int status)
    {
        var error = problem is null ? HtmlRaw.Empty : UiPage.Notice("error", problem);
        var invalid = problem is null ? HtmlRaw.Empty : Html.Of($""" aria-invalid="true" aria-describedby="key-error" """);
        var errorId = problem is null ? HtmlRaw.Empty : Html.Of($"""<p id="key-error" class="muted small">Use the admin key printed on first start, or one made with <code>switchyard keys create --admin</code>.</p>""");
        return UiPage.Bare("Sign in", Html.Of($"""
            <div class="login panel">
              <h1>Switchyard</h1>
              <p class="muted">Sign in with an admin key to see the dashboard.</p>
              {error}
              <form method="post" action="/ui/login">
                {UiPage.Csrf(http)}
                <input type="hidden" name="next" value="{SafeNext(next)}">
                <p><label for="key">Admin key</label>
                <input type="password" id="key" name="key" autocomplete="current-password" required spellcheck="false"{invalid}></p>
                {errorId}
                <p><button type="submit">Sign in</button></p>
              </form>
              <p class="muted small">The session lasts {UiSession.Lifetime.TotalHours} hours; the key itself is never stored in the browser.</p>
            </div>
            """), status);
    }

    // Max-Age rather than Expires: the browser counts it from receipt, whatever its clock says; the signed value
    // carries the server's own absolute expiry.
    private static CookieOptions SessionCookie(HttpContext http, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = "/ui",
        MaxAge = maxAge,
        IsEssential = true,
    };

    /// <summary>Where to go after signing in: a dashboard path, never another site.</summary>
    private static string SafeNext(string? next) =>
        next is { Length: > 0 } && (next == "/ui" || next.StartsWith("/ui/", StringComparison.Ordinal) || next.StartsWith("/ui?", StringComparison.Ordinal))
            && !next.Contains("//", StringComparison.Ordinal) && !next.Contains('\\', StringComparison.Ordinal)
            ? next
            : "/ui";
}
