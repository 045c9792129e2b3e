namespace Switchyard.Generation;

/// <summary>What a route or provider generates.</summary>
public enum Modality
{
    /// <summary>Images (PNG).</summary>
    Image,

    /// <summary>Text (chat completions).</summary>
    Text,

    /// <summary>Speech audio.</summary>
    Speech,
}
