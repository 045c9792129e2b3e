using Microsoft.Extensions.Logging;

namespace Switchyard.Providers.Cloudflare;

internal sealed partial class CloudflareWorkersAiProvider
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2201, EventName = "CloudflareUpstreamFailed", Level = LogLevel.Debug,
            Message = "Workers AI {Provider} answered {Status} for {Model}: code {Code}, class {ErrorClass}")]
        public static partial void UpstreamFailed(ILogger logger, string provider, string model, int status, string? code, string errorClass);

        [LoggerMessage(EventId = 2202, EventName = "CloudflareConnectionFailed", Level = LogLevel.Debug,
            Message = "Workers AI {Provider} could not be reached for {Model}: {Reason}")]
        public static partial void ConnectionFailed(ILogger logger, string provider, string model, string reason);

        [LoggerMessage(EventId = 2203, EventName = "CloudflareProbed", Level = LogLevel.Debug,
            Message = "Workers AI {Provider} probe: GET {Endpoint} answered {Status}")]
        public static partial void Probed(ILogger logger, string provider, string endpoint, int status);
    }
}
