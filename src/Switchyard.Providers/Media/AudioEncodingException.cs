namespace Switchyard.Providers.Media;

/// <summary>An external audio program (lame, opusenc, flac, espeak-ng) failed, timed out or could not start.</summary>
public sealed class AudioEncodingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AudioEncodingException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public AudioEncodingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AudioEncodingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
