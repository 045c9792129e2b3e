using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Cli;
using Switchyard.Tests.Fixtures;
using Switchyard.Tests.Webhooks;
using Switchyard.Webhooks;

namespace Switchyard.Tests.Cli;

/// <summary>
/// A key's webhook secret: printed once by <c>keys create</c>, verifying the gateway's webhooks of that key, and rotated by
/// <c>keys rotate-webhook-secret</c> with an overlap during which both signatures are sent.
/// </summary>
public sealed class KeysWebhookSecretTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateThenRotate_SecretsVerifyTheKeysWebhooksAndBothSignDuringTheOverlap()
    {
        using var factory = new GatewayFactory();
        using var admin = factory.CreateClientWithKey();
        (await admin.GetAsync("/healthz", Ct)).Dispose();
        await using var receiver = new LoopbackReceiver();

        var (exit, output, _) = await RunAsync("keys", "create", "--name", "flashcards-app", "--config", factory.ConfigPath, "--json");
        Assert.Equal(0, exit);
        var created = JsonDocument.Parse(output).RootElement;
        var id = created.GetProperty("id").GetString()!;
        var firstSecret = created.GetProperty("webhook_secret").GetString()!;
        Assert.True(StandardWebhook.IsValidSecret(firstSecret));

        var (_, humanOutput, _) = await RunAsync("keys", "create", "--name", "other", "--config", factory.ConfigPath);
        Assert.Contains("webhook secret", humanOutput, StringComparison.Ordinal);
        Assert.Contains("whsec_", humanOutput, StringComparison.Ordinal);
        var (_, list, _) = await RunAsync("keys", "list", "--config", factory.ConfigPath, "--json");
        Assert.DoesNotContain("whsec_", list, StringComparison.Ordinal);

        var before = await DeliverAsync(factory, receiver, id);
        Assert.True(Verify(firstSecret, before));

        var (rotateExit, rotated, _) = await RunAsync("keys", "rotate-webhook-secret", id, "--overlap", "1h", "--config", factory.ConfigPath, "--json");
        Assert.Equal(0, rotateExit);
        var secondSecret = JsonDocument.Parse(rotated).RootElement.GetProperty("webhook_secret").GetString()!;
        Assert.NotEqual(firstSecret, secondSecret);

        var during = await DeliverAsync(factory, receiver, id);
        var signatures = during.Headers["webhook-signature"].Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.True(Verify(secondSecret, during with { Headers = new(during.Headers) { ["webhook-signature"] = signatures[0] } }));
        Assert.True(Verify(firstSecret, during with { Headers = new(during.Headers) { ["webhook-signature"] = signatures[1] } }));

        var (noOverlapExit, _, _) = await RunAsync("keys", "rotate-webhook-secret", id, "--overlap", "0", "--config", factory.ConfigPath, "--json");
        Assert.Equal(0, noOverlapExit);
        var after = await DeliverAsync(factory, receiver, id);
        Assert.Single(after.Headers["webhook-signature"].Split(' '));
        Assert.False(Verify(secondSecret, after));
    }

    [Fact]
    public async Task Rotate_UnknownKeyOrBadOverlap_SaysWhatIsWrong()
    {
        using var factory = new GatewayFactory();
        using var admin = factory.CreateClientWithKey();
        (await admin.GetAsync("/healthz", Ct)).Dispose();

        var (unknownExit, _, unknownError) = await RunAsync("keys", "rotate-webhook-secret", "key_nobody", "--config", factory.ConfigPath);
        var (overlapExit, _, overlapError) = await RunAsync("keys", "rotate-webhook-secret", "key_TestAdmin001", "--overlap", "forever", "--config", factory.ConfigPath);

        Assert.Equal(CliExitCodes.NotFound, unknownExit);
        Assert.Contains("key_nobody", unknownError, StringComparison.Ordinal);
        Assert.Equal(CliExitCodes.BadConfig, overlapExit);
        Assert.Contains("--overlap", overlapError, StringComparison.Ordinal);
    }

    private static bool Verify(string secret, LoopbackReceiver.Received received) =>
        StandardWebhook.Verify(secret, received.Headers["webhook-id"], received.Headers["webhook-timestamp"], received.Headers["webhook-signature"], received.Body, TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(5));

    private static async Task<LoopbackReceiver.Received> DeliverAsync(GatewayFactory factory, LoopbackReceiver receiver, string keyId)
    {
        var outbox = factory.Services.GetRequiredService<IWebhookOutbox>();
        var id = await outbox.EnqueueAsync(
            new WebhookMessage { OwnerKeyId = keyId, Url = receiver.Url, EventType = "job.completed", SubjectId = "job_1", Data = JsonDocument.Parse("{}").RootElement },
            Ct);
        var received = await receiver.NextAsync();
        Assert.Equal(id, received.Headers["webhook-id"]);
        return received;
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var env = new CliEnvironment(CliEnvironment.PlainConsole(output), output, error, TimeProvider.System, static _ => null);
        var exit = await SwitchyardCommand.Create(env).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }
}
