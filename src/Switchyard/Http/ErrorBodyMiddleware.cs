namespace Switchyard.Http;

/// <summary>
/// Gives every error the OpenAI error body: an unexpected fault becomes a 500 (logged, no internals shown), and a 404
/// or 405 that routing answered without a body gets one naming the path. One middleware instead of the framework's
/// exception handler and status code pages, which cost every request two more async layers and a feature object
/// for these rare answers.
/// </summary>
internal sealed partial class ErrorBodyMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<ErrorBodyMiddleware> _logger;

    public ErrorBodyMiddleware(RequestDelegate next, ILogger<ErrorBodyMiddleware> logger)
    {
        _next = next;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext http)
    {
        Task task;
        try
        {
            task = _next(http);
        }
        catch (Exception exception)
        {
            task = Task.FromException(exception);
        }

        return task.IsCompletedSuccessfully ? AfterAsync(http) : AwaitedAsync(http, task);
    }

    private async Task AwaitedAsync(HttpContext http, Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody reads an answer.
            Log.RequestAborted(_logger, http.Request.Method, http.Request.Path);
            if (!http.Response.HasStarted)
            {
                http.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
            }

            return;
        }
        catch (Exception exception)
        {
            Log.Unhandled(_logger, http.Request.Method, http.Request.Path, exception);
            if (http.Response.HasStarted)
            {
                throw; // the status line is sent: only the connection can say something went wrong
            }

            var runId = http.Response.Headers["x-switchyard-run-id"].ToString();
            http.Response.Clear();
            if (runId.Length > 0)
            {
                http.Response.Headers["x-switchyard-run-id"] = runId;
            }

            await ErrorResults.Error(500, new ErrorBody("The gateway met an internal error; the run id (if any) names it in the ledger.", "server_error", null, "internal_error"), runId.Length > 0 ? runId : null).ExecuteAsync(http);
            return;
        }

        await AfterAsync(http);
    }

    private static Task AfterAsync(HttpContext http)
    {
        var response = http.Response;
        if (response.HasStarted || response.ContentLength is not null || !string.IsNullOrEmpty(response.ContentType))
        {
            return Task.CompletedTask;
        }

        return response.StatusCode switch
        {
            404 => ErrorResults.Error(404, new ErrorBody($"No endpoint {http.Request.Method} {http.Request.Path}.", "invalid_request_error", null, "unknown_url"), null).ExecuteAsync(http),
            405 => ErrorResults.Error(405, new ErrorBody($"{http.Request.Method} is not allowed on {http.Request.Path}.", "invalid_request_error", null, "method_not_allowed"), null).ExecuteAsync(http),
            _ => Task.CompletedTask,
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2501, EventName = "UnhandledException", Level = LogLevel.Error, Message = "{Method} {Path} met an unexpected error; answered 500 internal_error")]
        public static partial void Unhandled(ILogger logger, string method, PathString path, Exception exception);

        [LoggerMessage(EventId = 2502, EventName = "RequestAborted", Level = LogLevel.Debug, Message = "{Method} {Path}: the client closed the connection before the answer")]
        public static partial void RequestAborted(ILogger logger, string method, PathString path);
    }
}
