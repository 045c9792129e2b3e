using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Http;

/// <summary>Errors that no endpoint answers itself still get the OpenAI error body.</summary>
public sealed class ErrorBodyTests : IDisposable
{
    private readonly GatewayFactory _factory = new()
    {
        // A request no endpoint matches ends in a handler that throws: an internal fault behind the gateway's pipeline.
        MoreServices = services => services.AddSingleton<IStartupFilter>(new ThrowingTail()),
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task UnexpectedFault_500InternalErrorBody_WithoutInternals()
    {
        using var client = _factory.CreateClientWithKey();

        using var response = await client.GetAsync("/v1/throws-here", Ct);

        var error = await HttpAssert.ErrorAsync(response, HttpStatusCode.InternalServerError, null, "internal_error");
        Assert.Equal("server_error", error.GetProperty("error").GetProperty("type").GetString());
        Assert.DoesNotContain("secret internals", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongMethod_405NamingMethodAndPath()
    {
        using var client = _factory.CreateClientWithKey();

        using var response = await client.DeleteAsync("/v1/chat/completions", Ct);

        var error = await HttpAssert.ErrorAsync(response, HttpStatusCode.MethodNotAllowed, null, "method_not_allowed");
        Assert.Equal("DELETE is not allowed on /v1/chat/completions.", error.GetProperty("error").GetProperty("message").GetString());
    }

    private sealed class ThrowingTail : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(_ => throw new InvalidOperationException("secret internals"));
        };
    }
}
