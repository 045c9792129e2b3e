using Microsoft.AspNetCore.Antiforgery;

namespace Switchyard.Ui;

/// <summary>Registers what the dashboard needs.</summary>
internal static class UiServiceCollectionExtensions
{
    private const string DataProtectionWarmUp = "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";

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

        // The antiforgery tokens' data protection would load its key ring (and the XML stack it is stored in, ~4 MB of
        // mapped code) at start-up; without its warm-up service the ring is read when the dashboard first needs a token.
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IHostedService) && services[i].ImplementationType?.FullName == DataProtectionWarmUp)
            {
                services.RemoveAt(i);
            }
        }

        return services;
    }
}
