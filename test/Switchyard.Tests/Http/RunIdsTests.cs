using Microsoft.Extensions.Time.Testing;
using Switchyard.Http;

namespace Switchyard.Tests.Http;

public sealed class RunIdsTests
{
    [Fact]
    public void New_IsRunPrefixAndAVersion7UuidCarryingTheClocksMilliseconds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 3, 4, 5, 678, TimeSpan.Zero));

        var id = RunIds.New(time);

        Assert.Matches("^run_[0-9a-f]{32}$", id);
        var uuid = Guid.ParseExact(id[4..], "N");
        Assert.Equal(7, uuid.Version);
        Assert.Equal(0b10, uuid.Variant >> 2);
        Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds(), Convert.ToInt64(id[4..16], 16));
    }

    [Fact]
    public void New_SortsByTime_AndNeverRepeatsWithinAMillisecond()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
        var ids = new List<string>();
        for (var ms = 0; ms < 5; ms++)
        {
            // More ids per millisecond than one random block holds, so refills are crossed too.
            var sameMillisecond = Enumerable.Range(0, 300).Select(_ => RunIds.New(time)).ToList();
            Assert.Equal(sameMillisecond.Count, sameMillisecond.Distinct(StringComparer.Ordinal).Count());
            Assert.All(sameMillisecond, id => Assert.Equal(time.GetUtcNow().ToUnixTimeMilliseconds(), Convert.ToInt64(id[4..16], 16)));
            ids.AddRange(sameMillisecond.Order(StringComparer.Ordinal));
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task New_FromManyThreads_GivesDistinctIds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
        var batches = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Enumerable.Range(0, 1000).Select(_ => RunIds.New(time)).ToList())));

        var all = batches.SelectMany(b => b).ToList();
        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());

        // The random part is random: across 8,000 ids every hex digit of it takes many values.
        for (var position = 17; position < 36; position++)
        {
            if (position is 20)
            {
                continue; // the variant's digit is 8-b
            }

            Assert.True(all.Select(id => id[position]).Distinct().Count() >= 12, $"digit {position} barely varies");
        }
    }
}
