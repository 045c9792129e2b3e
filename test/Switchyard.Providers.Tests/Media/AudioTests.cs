using System.Buffers.Binary;
using Switchyard.Generation;
using Switchyard.Providers.Media;

namespace Switchyard.Providers.Tests.Media;

public sealed class AudioTests
{
    [Fact]
    public void WavFile_Write_HeaderIsTruthful()
    {
        var audio = ToneGenerator.Melody("hello world", 1.0);

        var wav = WavFile.Write(audio);

        Assert.True(wav.AsSpan(0, 4).SequenceEqual("RIFF"u8));
        Assert.True(wav.AsSpan(8, 4).SequenceEqual("WAVE"u8));
        Assert.Equal(wav.Length - 8, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(4)));
        Assert.Equal(24_000, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(24)));
        Assert.Equal(16, BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(34)));
        Assert.Equal(audio.Samples.Length * 2, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(40)));
        var duration = AudioInspector.GetWavDuration(wav);
        Assert.NotNull(duration);
        Assert.True(duration > TimeSpan.Zero);
        Assert.Equal(audio.Duration, duration.Value);
    }

    [Fact]
    public void WavFile_Read_RoundTrips()
    {
        var audio = ToneGenerator.Melody("round trip", 1.0);

        var read = WavFile.Read(WavFile.Write(audio));

        Assert.NotNull(read);
        Assert.Equal(audio.SampleRate, read.SampleRate);
        Assert.Equal(audio.Samples, read.Samples);
    }

    [Fact]
    public void WavFile_Read_StreamedSizeIsCutToData()
    {
        var wav = WavFile.Write(ToneGenerator.Silence(TimeSpan.FromMilliseconds(100)));
        BinaryPrimitives.WriteInt32LittleEndian(wav.AsSpan(40), 0x7FFFFFFF); // as espeak-ng writes to a pipe

        Assert.Equal(2400, WavFile.Read(wav)!.Samples.Length);
        Assert.Equal(TimeSpan.FromMilliseconds(100), AudioInspector.GetWavDuration(wav));
    }

    [Fact]
    public void AudioInspector_NotWav_ReturnsNull()
    {
        Assert.Null(AudioInspector.GetWavDuration([]));
        Assert.Null(AudioInspector.GetWavDuration("RIFF....WAVEjunk"u8));
        Assert.Null(AudioInspector.GetWavDuration(WavFile.Write(ToneGenerator.Silence(TimeSpan.FromSeconds(1))).AsSpan(0, 30)));
        Assert.Null(AudioInspector.GetPcmDuration(new byte[3]));
    }

    [Fact]
    public void ToneGenerator_Duration_GrowsWithTextWithinBounds()
    {
        var empty = ToneGenerator.Melody("", 1.0);
        var shortText = ToneGenerator.Melody("hi", 1.0);
        var medium = ToneGenerator.Melody(new string('a', 60), 1.0);
        var longer = ToneGenerator.Melody(new string('a', 100), 1.0);
        var huge = ToneGenerator.Melody(new string('a', 10_000), 1.0);

        Assert.Equal(ToneGenerator.MinDuration, empty.Duration);
        Assert.Equal(ToneGenerator.MinDuration, shortText.Duration);
        Assert.True(longer.Duration > medium.Duration);
        Assert.True(medium.Duration > ToneGenerator.MinDuration);
        Assert.Equal(ToneGenerator.MaxDuration, huge.Duration);
        Assert.Contains(medium.Samples, s => s != 0);
    }

    [Fact]
    public void ToneGenerator_SameText_SameSamples()
    {
        Assert.Equal(ToneGenerator.Melody("same", 1.0).Samples, ToneGenerator.Melody("same", 1.0).Samples);
        Assert.NotEqual(ToneGenerator.Melody("same text", 1.0).Samples, ToneGenerator.Melody("other one", 1.0).Samples);
    }

    [Fact]
    public void PcmAudio_Resample_KeepsDuration()
    {
        var audio = ToneGenerator.Silence(TimeSpan.FromSeconds(1), 22_050);

        var resampled = audio.Resample(24_000);

        Assert.Equal(24_000, resampled.Samples.Length);
        Assert.Equal(48_000, resampled.ToBytes().Length);
    }

    [Fact]
    public async Task Encoder_WavAndPcm_AlwaysAvailable()
    {
        var encoder = TestProviders.BareEncoder();
        var audio = ToneGenerator.Silence(TimeSpan.FromSeconds(1), 22_050);

        Assert.Equal([AudioFormat.Wav, AudioFormat.Pcm], encoder.AvailableFormats);
        var pcm = await encoder.EncodeAsync(audio, AudioFormat.Pcm, TestContext.Current.CancellationToken);
        Assert.Equal(48_000, pcm.Length);
        Assert.Equal(TimeSpan.FromSeconds(1), AudioInspector.GetPcmDuration(pcm));
        var wav = await encoder.EncodeWavAsync(WavFile.Write(audio), AudioFormat.Wav, TestContext.Current.CancellationToken);
        Assert.Equal(TimeSpan.FromSeconds(1), AudioInspector.GetWavDuration(wav));
    }

    [Theory]
    [InlineData(AudioFormat.Mp3, "'lame' program (apt-get install lame)")]
    [InlineData(AudioFormat.Opus, "'opusenc' program (apt-get install opus-tools)")]
    [InlineData(AudioFormat.Flac, "'flac' program (apt-get install flac)")]
    [InlineData(AudioFormat.Aac, "aac output is not supported")]
    public async Task Encoder_MissingProgram_ExplainsAndThrows(AudioFormat format, string expected)
    {
        var encoder = TestProviders.BareEncoder();

        var reason = encoder.WhyUnavailable(format);

        Assert.NotNull(reason);
        Assert.Contains(expected, reason, StringComparison.Ordinal);
        Assert.EndsWith("available here: wav, pcm", reason, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AudioEncodingException>(async () =>
            await encoder.EncodeAsync(ToneGenerator.Silence(TimeSpan.FromSeconds(1)), format, TestContext.Current.CancellationToken));
    }

    // Each machine either has the program, and then the output must carry the format's magic bytes,
    // or lacks it, and then the capability report must say so. Both branches assert.
    [Theory]
    [InlineData(AudioFormat.Mp3, "lame")]
    [InlineData(AudioFormat.Opus, "opusenc")]
    [InlineData(AudioFormat.Flac, "flac")]
    public async Task Encoder_OnThisMachine_EncodesOrReportsMissingProgram(AudioFormat format, string program)
    {
        var encoder = AudioEncoder.Default;
        var installed = ProgramLocator.Find(program) is not null;

        Assert.Equal(installed, encoder.IsAvailable(format));
        Assert.Equal(installed, encoder.AvailableFormats.Contains(format));
        if (!installed)
        {
            Assert.Contains($"'{program}'", encoder.WhyUnavailable(format), StringComparison.Ordinal);
            return;
        }

        Assert.Null(encoder.WhyUnavailable(format));
        var wav = WavFile.Write(ToneGenerator.Melody("encode me please", 1.0));
        var encoded = await encoder.EncodeWavAsync(wav, format, TestContext.Current.CancellationToken);
        Assert.True(encoded.Length > 100);
        Assert.True(AudioInspector.HasSignature(format, encoded));
        Assert.False(AudioInspector.HasSignature(format, wav));
        switch (format)
        {
            case AudioFormat.Mp3:
                Assert.True(encoded.AsSpan(0, 3).SequenceEqual("ID3"u8) || (encoded[0] == 0xFF && (encoded[1] & 0xE0) == 0xE0));
                break;
            case AudioFormat.Opus:
                Assert.True(encoded.AsSpan(0, 4).SequenceEqual("OggS"u8));
                break;
            case AudioFormat.Flac:
                Assert.True(encoded.AsSpan(0, 4).SequenceEqual("fLaC"u8));
                break;
        }
    }

    [Fact]
    public async Task SpeechEngine_OnThisMachine_SpeaksWithEspeakOrTone()
    {
        var engine = SpeechEngine.Default;
        var installed = ProgramLocator.Find("espeak-ng") is not null;

        Assert.Equal(installed, engine.HasEspeak);
        var audio = await engine.SpeakAsync("-v hello there", "nova", 1.0, TestContext.Current.CancellationToken);

        Assert.True(audio.Duration > TimeSpan.FromMilliseconds(200));
        Assert.Contains(audio.Samples, s => s != 0);
        Assert.Equal(installed ? 22_050 : 24_000, audio.SampleRate);
    }

    [Fact]
    public void SpeechEngine_MapsVoicesAndSpeed()
    {
        Assert.Equal("en-us+m7", SpeechEngine.EspeakVoice("onyx"));
        Assert.Equal("en-us", SpeechEngine.EspeakVoice("unknown"));
        Assert.Equal(175, SpeechEngine.WordsPerMinute(1.0));
        Assert.Equal(350, SpeechEngine.WordsPerMinute(2.0));
        Assert.Equal(80, SpeechEngine.WordsPerMinute(0.25));
        Assert.Equal(450, SpeechEngine.WordsPerMinute(4.0));
    }

    [Fact]
    public void HasSignature_EmptyOrWrong_False()
    {
        foreach (var format in Enum.GetValues<AudioFormat>())
        {
            Assert.False(AudioInspector.HasSignature(format, []));
        }

        Assert.False(AudioInspector.HasSignature(AudioFormat.Flac, "OggS"u8));
        Assert.False(AudioInspector.HasSignature(AudioFormat.Opus, "fLaC"u8));
    }
}
