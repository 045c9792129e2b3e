using Microsoft.Extensions.Logging;

namespace Switchyard.Providers.OpenAI;

internal sealed partial class OpenAIProvider
{
    // Prompts, inputs and keys are never logged; model names and endpoints are.
    private static partial class Log
    {
        [LoggerMessage(EventId = 2301, EventName = "OpenAIRequestSending", Level = LogLevel.Debug,
            Message = "{Provider}: POST {Endpoint} with model {Model}")]
        public static partial void Sending(ILogger logger, string provider, string endpoint, string model);

        [LoggerMessage(EventId = 2302, EventName = "OpenAIUpstreamFailed", Level = LogLevel.Warning,
            Message = "{Provider}: {Endpoint} answered HTTP {Status}, recorded as {ErrorClass} ({Code})")]
        public static partial void UpstreamFailed(ILogger logger, string provider, string endpoint, int status, string errorClass, string? code);

        [LoggerMessage(EventId = 2303, EventName = "OpenAITransportFailed", Level = LogLevel.Warning,
            Message = "{Provider}: {Endpoint} could not be reached: {Reason}")]
        public static partial void TransportFailed(ILogger logger, string provider, string endpoint, string reason);

        [LoggerMessage(EventId = 2304, EventName = "OpenAIStreamFailed", Level = LogLevel.Warning,
            Message = "{Provider}: the chat stream failed as {ErrorClass} ({Code})")]
        public static partial void StreamFailed(ILogger logger, string provider, string errorClass, string? code);

        [LoggerMessage(EventId = 2305, EventName = "OpenAIDownloadFailed", Level = LogLevel.Warning,
            Message = "{Provider}: image download failed: {Reason}")]
        public static partial void DownloadFailed(ILogger logger, string provider, string reason);

        [LoggerMessage(EventId = 2306, EventName = "OpenAIProbing", Level = LogLevel.Debug,
            Message = "{Provider}: probing GET {Endpoint}")]
        public static partial void Probing(ILogger logger, string provider, string endpoint);

        [LoggerMessage(EventId = 2307, EventName = "OpenAIProbeRefused", Level = LogLevel.Debug,
            Message = "{Provider}: probe of {Endpoint} answered HTTP {Status}")]
        public static partial void ProbeRefused(ILogger logger, string provider, string endpoint, int status);
    }
}
