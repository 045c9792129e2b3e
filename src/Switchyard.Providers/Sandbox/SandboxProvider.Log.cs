using Microsoft.Extensions.Logging;

namespace Switchyard.Providers.Sandbox;

public sealed partial class SandboxProvider
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, EventName = "SandboxFaultInjected", Level = LogLevel.Debug,
            Message = "Sandbox {Provider} injects a {FaultClass} fault (forced: {Forced})")]
        public static partial void FaultInjected(ILogger logger, string provider, string faultClass, bool forced);

        [LoggerMessage(EventId = 2102, EventName = "SandboxSpeechFallback", Level = LogLevel.Warning,
            Message = "Sandbox {Provider}: espeak-ng failed ({Reason}); using the tone generator")]
        public static partial void SpeechFallback(ILogger logger, string provider, string reason);

        [LoggerMessage(EventId = 2103, EventName = "SandboxEncoderFailed", Level = LogLevel.Warning,
            Message = "Sandbox {Provider}: encoding {Format} failed: {Reason}")]
        public static partial void EncoderFailed(ILogger logger, string provider, string format, string reason);
    }
}
