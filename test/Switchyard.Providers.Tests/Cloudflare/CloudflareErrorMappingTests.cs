using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Generation;
using Switchyard.Providers.Cloudflare;
using Switchyard.Providers.Tests.Emulators;

namespace Switchyard.Providers.Tests.Cloudflare;

public sealed class CloudflareErrorMappingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<int, int, string, ErrorClass, string> Errors => new()
    {
        { 401, 10000, "Authentication error", ErrorClass.Auth, "10000" },
        { 400, 9106, "Missing X-Auth-Key, X-Auth-Email or Authorization headers", ErrorClass.Auth, "9106" },
        { 403, 3023, "Service unavailable for account", ErrorClass.Auth, "3023" },
        { 429, 3036, "You have used up your daily free allocation of 10,000 neurons.", ErrorClass.RateLimited, "3036" },
        { 429, 3040, "No more data centers to forward the request to", ErrorClass.Unavailable, "3040" },
        { 400, 3030, "Input prompt contains NSFW content", ErrorClass.ContentRejected, "content_rejected" },
        { 400, 5006, "Error: oneOf at '/' not met, 0 matches: required properties at '/' are 'prompt'", ErrorClass.InvalidRequest, "5006" },
        { 400, 3003, "Request is missing headers or body: body", ErrorClass.InvalidRequest, "3003" },
        { 413, 3006, "Request is too large", ErrorClass.InvalidRequest, "3006" },
        { 400, 5007, "No such model @cf/nope/nope or task", ErrorClass.Misconfigured, "model_not_found" },
        { 404, 3042, "The model name is invalid", ErrorClass.Misconfigured, "model_not_found" },
        { 400, 7003, "Could not route to /accounts/x/ai/run/@cf/nope, perhaps your object identifier is invalid?", ErrorClass.Misconfigured, "model_not_found" },
        { 404, 7000, "No route for that URI", ErrorClass.Misconfigured, "model_not_found" },
        { 408, 3007, "Request timeout", ErrorClass.Timeout, "3007" },
        { 500, 3043, "Internal server error", ErrorClass.Unavailable, "3043" },
        { 503, 3040, "No more data centers to forward the request to", ErrorClass.Unavailable, "3040" },
        { 200, 3040, "No more data centers to forward the request to", ErrorClass.Unavailable, "3040" },
        { 200, 10000, "Authentication error", ErrorClass.Auth, "10000" },
        { 200, 4242, "Something new", ErrorClass.Unavailable, "4242" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task GenerateImage_ErrorEnvelope_MapsToItsClass(int status, int code, string message, ErrorClass expected, string expectedCode)
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.Enqueue(CloudflareEmulator.Error(status, code, message));
        var provider = CloudflareFixture.Provider(emulator);

        var result = await provider.GenerateImageAsync(CloudflareModels.Flux, CloudflareFixture.Image(), Ct);

        var failure = result.Failure!;
        Assert.Equal(expected, failure.Class);
        Assert.Equal(expectedCode, failure.Code);
        Assert.Equal(status, failure.HttpStatus);
        Assert.Contains(message[..10], failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(CloudflareEmulator.Token, failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task CompleteChat_ErrorEnvelope_MapsToTheSameClass(int status, int code, string message, ErrorClass expected, string expectedCode)
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.Enqueue(CloudflareEmulator.Error(status, code, message));
        var provider = CloudflareFixture.Provider(emulator);

        var result = await provider.CompleteChatAsync(null, TestProviders.Chat("hi"), Ct);

        Assert.Equal(expected, result.Failure!.Class);
        Assert.Equal(expectedCode, result.Failure.Code);
    }

    [Fact]
    public async Task GenerateImage_429WithRetryAfterSeconds_RateLimitedCarryingIt()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.Enqueue(CloudflareEmulator.Error(429, 3036, "Account limited", retryAfter: "7"));
        var provider = CloudflareFixture.Provider(emulator);

        var result = await provider.GenerateImageAsync(null, CloudflareFixture.Image(), Ct);

        Assert.Equal(ErrorClass.RateLimited, result.Failure!.Class);
        Assert.Equal(TimeSpan.FromSeconds(7), result.Failure.RetryAfter);
        Assert.True(result.Failure.IsTransient);
    }

    [Fact]
    public async Task GenerateImage_429WithRetryAfterDate_WaitMeasuredOnTheInjectedClock()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
        emulator.Enqueue(CloudflareEmulator.Error(429, 3036, "Account limited", retryAfter: "Sun, 01 Jun 2025 12:00:20 GMT"));
        var provider = CloudflareFixture.Provider(emulator, time);

        var result = await provider.GenerateImageAsync(null, CloudflareFixture.Image(), Ct);

        Assert.Equal(TimeSpan.FromSeconds(20), result.Failure!.RetryAfter);
    }

    [Fact]
    public async Task GenerateImage_EdgeHtmlPage502_Unavailable()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.Enqueue(ScriptedEmulator.Raw(502, "text/html", "<html><body>502 Bad Gateway</body></html>"));
        var provider = CloudflareFixture.Provider(emulator);

        var result = await provider.GenerateImageAsync(null, CloudflareFixture.Image(), Ct);

        Assert.Equal(ErrorClass.Unavailable, result.Failure!.Class);
        Assert.Equal("http_502", result.Failure.Code);
        Assert.Contains("502 Bad Gateway", result.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateImage_WrongToken_AuthFromTheEmulatorsOwnCheck()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        var provider = CloudflareFixture.Provider(CloudflareFixture.Config(emulator.BaseUrl, token: "wrong-token"));

        var result = await provider.GenerateImageAsync(null, CloudflareFixture.Image(), Ct);

        Assert.Equal(ErrorClass.Auth, result.Failure!.Class);
        Assert.Equal(401, result.Failure.HttpStatus);
        Assert.Equal("Bearer wrong-token", emulator.Last.Header("authorization"));
    }

    [Fact]
    public async Task GenerateImage_SlowAnswer_AttemptCancellationPropagates()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.Enqueue(emulator.Slow(TimeSpan.FromSeconds(30)));
        var provider = CloudflareFixture.Provider(emulator);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        attempt.CancelAfter(TimeSpan.FromMilliseconds(300));

        // The gateway's pipeline cancels the token on the attempt timeout and records a timeout.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await provider.GenerateImageAsync(null, CloudflareFixture.Image(), attempt.Token));
    }

    [Fact]
    public async Task GenerateImage_NothingListening_UnavailableConnectionFailed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var provider = CloudflareFixture.Provider(CloudflareFixture.Config($"http://127.0.0.1:{port}/client/v4"));

        var result = await provider.GenerateImageAsync(null, CloudflareFixture.Image(), Ct);

        Assert.Equal(ErrorClass.Unavailable, result.Failure!.Class);
        Assert.Equal("connection_failed", result.Failure.Code);
        Assert.Equal("send", result.Failure.Step);
    }
}
