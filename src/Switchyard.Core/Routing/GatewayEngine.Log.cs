using Microsoft.Extensions.Logging;

namespace Switchyard.Routing;

public sealed partial class GatewayEngine
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 100, EventName = "AttemptFailed", Level = LogLevel.Information, Message = "Run {RunId}: {Provider} failed with {ErrorClass}: {Detail}")]
        public static partial void AttemptFailed(ILogger logger, string runId, string provider, string errorClass, string detail);

        [LoggerMessage(EventId = 101, EventName = "RunFailed", Level = LogLevel.Warning, Message = "Run {RunId} on route {Route} failed: {Detail}")]
        public static partial void RunFailed(ILogger logger, string runId, string route, string detail);

        [LoggerMessage(EventId = 103, EventName = "ObserverFailed", Level = LogLevel.Error, Message = "Run observer {Observer} failed on run {RunId}")]
        public static partial void ObserverFailed(ILogger logger, string observer, string runId, Exception exception);

        [LoggerMessage(EventId = 102, EventName = "ProviderThrew", Level = LogLevel.Error, Message = "Provider {Provider} threw instead of returning a failure")]
        public static partial void ProviderThrew(ILogger logger, string provider, Exception exception);
    }
}
