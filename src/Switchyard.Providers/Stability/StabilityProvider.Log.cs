using Microsoft.Extensions.Logging;

namespace Switchyard.Providers.Stability;

internal sealed partial class StabilityProvider
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2301, EventName = "StabilityUpstreamFailed", Level = LogLevel.Debug,
            Message = "Stability {Provider} answered {Status} for {Model}: code {Code}, class {ErrorClass}")]
        public static partial void UpstreamFailed(ILogger logger, string provider, string model, int status, string? code, string errorClass);

        [LoggerMessage(EventId = 2302, EventName = "StabilityConnectionFailed", Level = LogLevel.Debug,
            Message = "Stability {Provider} could not be reached for {Model}: {Reason}")]
        public static partial void ConnectionFailed(ILogger logger, string provider, string model, string reason);

        [LoggerMessage(EventId = 2303, EventName = "StabilityProbed", Level = LogLevel.Debug,
            Message = "Stability {Provider} probe: GET {Endpoint} answered {Status}")]
        public static partial void Probed(ILogger logger, string provider, string endpoint, int status);
    }
}
