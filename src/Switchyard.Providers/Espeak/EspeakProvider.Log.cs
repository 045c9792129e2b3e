using Microsoft.Extensions.Logging;

namespace Switchyard.Providers.Espeak;

internal sealed partial class EspeakProvider
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2401, EventName = "EspeakProgramFailed", Level = LogLevel.Warning,
            Message = "espeak {Provider}: {Program} failed: {Reason}")]
        public static partial void ProgramFailed(ILogger logger, string provider, string program, string reason);
    }
}
