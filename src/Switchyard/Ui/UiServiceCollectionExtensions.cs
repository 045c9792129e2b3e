using Microsoft.AspNetCore.Antiforgery;

namespace Switchyard.Ui;

/// <summary>Registers what the dashboard needs.</summary>
internal static class UiServiceCollectionExtensions
{
    public static IServiceCollection AddSwitchyardDashboard(this IServiceCollection services)
    {
        services.AddSingleton<UiSession>();
        services.AddSingleton<ProviderChecks>();
        services.AddSingleton<OverviewData>();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "switchyard-csrf";
            o.Cookie.Path = "/ui";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__csrf";
            o.HeaderName = null;

            // The dashboard sends its own X-Frame-Options: DENY and frame-ancestors 'none'.
            o.SuppressXFrameOptionsHeader = true;
        });
        return services;
    }
}
