using System.Text;
using Switchyard.Webhooks;

namespace Switchyard.Core.Tests.Webhooks;

public sealed class StandardWebhookTests
{
    // The published Standard Webhooks test vector (the reference libraries' tests, e.g. svix-php testSignFunctionWorks).
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private const string Payload = "{\"test\": 2432232314}";
    private const string Expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(Timestamp);

    [Fact]
    public void Sign_PublishedTestVector_ReproducesTheSignature()
    {
        Assert.Equal(Expected, StandardWebhook.Sign(Secret, Id, At, Encoding.UTF8.GetBytes(Payload)));
    }

    [Fact]
    public void Verify_PublishedTestVector_Accepts()
    {
        Assert.True(StandardWebhook.Verify(Secret, Id, "1614265330", Expected, Encoding.UTF8.GetBytes(Payload), At, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Verify_OneOfSeveralSignatures_Accepts()
    {
        Assert.True(StandardWebhook.Verify(Secret, Id, "1614265330", "v1,bm9wZQ== " + Expected, Encoding.UTF8.GetBytes(Payload), At, TimeSpan.FromMinutes(5)));
    }

    [Theory]
    [InlineData("{\"test\": 2432232315}", Id, "1614265330")]
    [InlineData(Payload, "msg_other", "1614265330")]
    [InlineData(Payload, Id, "1614265331")]
    public void Verify_TamperedMessage_Rejects(string payload, string id, string timestamp)
    {
        Assert.False(StandardWebhook.Verify(Secret, id, timestamp, Expected, Encoding.UTF8.GetBytes(payload), At, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Verify_OutsideTolerance_Rejects()
    {
        Assert.False(StandardWebhook.Verify(Secret, Id, "1614265330", Expected, Encoding.UTF8.GetBytes(Payload), At.AddMinutes(6), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Verify_OtherSecret_Rejects()
    {
        Assert.False(StandardWebhook.Verify(StandardWebhook.NewSecret(), Id, "1614265330", Expected, Encoding.UTF8.GetBytes(Payload), At, TimeSpan.FromMinutes(5)));
    }

    [Theory]
    [InlineData(Secret, true)]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", false)]
    [InlineData("whsec_not base64!", false)]
    [InlineData("whsec_c2hvcnQ=", false)]
    public void IsValidSecret_Forms(string secret, bool valid)
    {
        Assert.Equal(valid, StandardWebhook.IsValidSecret(secret));
    }
}
