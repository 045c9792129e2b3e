using Switchyard.Keys;

namespace Switchyard.Core.Tests.Keys;

public sealed class ApiKeysTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Matches_AfterRotation_NewWorksOldWorksUntilOverlapEnds()
    {
        var (oldKey, record) = ApiKeys.Create("app", isAdmin: false, T0);
        var (newKey, prefix, hash) = ApiKeys.NewSecret();
        var rotated = record with { PreviousPrefix = record.Prefix, PreviousHash = record.Hash, PreviousExpiresAt = T0.AddHours(1), Prefix = prefix, Hash = hash };

        Assert.Equal(prefix, ApiKeys.TryParsePrefix(newKey));
        Assert.True(ApiKeys.Matches(newKey, rotated, T0));
        Assert.True(ApiKeys.Matches(oldKey, rotated, T0.AddMinutes(59)));
        Assert.False(ApiKeys.Matches(oldKey, rotated, T0.AddHours(1)));
        Assert.True(ApiKeys.Matches(newKey, rotated, T0.AddDays(10)));
        Assert.False(ApiKeys.Matches(newKey + "x", rotated, T0));
    }

    [Fact]
    public void Matches_Revoked_NeitherSecretWorks()
    {
        var (oldKey, record) = ApiKeys.Create("app", isAdmin: false, T0);
        var (newKey, prefix, hash) = ApiKeys.NewSecret();
        var revoked = record with { PreviousHash = record.Hash, PreviousExpiresAt = T0.AddHours(1), Prefix = prefix, Hash = hash, RevokedAt = T0 };

        Assert.False(ApiKeys.Matches(newKey, revoked, T0));
        Assert.False(ApiKeys.Matches(oldKey, revoked, T0));
    }

    [Fact]
    public void KeyLimits_AllowsModel_OnlyListedNamesWhenRestricted()
    {
        var limits = new KeyLimits { Routes = KeyLimits.ParseRoutes("image, sandbox-a/sandbox-text") };

        Assert.True(limits.AllowsModel("image"));
        Assert.True(limits.AllowsModel("sandbox-a/sandbox-text"));
        Assert.False(limits.AllowsModel("text"));
        Assert.False(limits.AllowsModel("Image"));
        Assert.True(KeyLimits.None.AllowsModel("anything"));
        Assert.Equal("image,sandbox-a/sandbox-text", limits.RoutesText);
    }
}
