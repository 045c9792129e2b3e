using Microsoft.Extensions.Logging;

namespace Switchyard.Providers.Placeholder;

public sealed partial class PlaceholderProvider
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2201, EventName = "PlaceholderAudioFailed", Level = LogLevel.Warning,
            Message = "Placeholder {Provider}: {Step} failed: {Reason}")]
        public static partial void AudioFailed(ILogger logger, string provider, string step, string reason);
    }
}
