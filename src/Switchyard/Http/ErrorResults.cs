using Switchyard.Routing;

namespace Switchyard.Http;

/// <summary>OpenAI-shaped error responses: <c>{"error":{"message","type","param","code"},"run_id"}</c>.</summary>
internal static class ErrorResults
{
    public static IResult Unauthorized(string message) =>
        Error(401, new ErrorBody(message, "invalid_request_error", null, "invalid_api_key"), null);

    public static IResult From(RequestProblem problem, string? runId) =>
        Error(problem.Status, new ErrorBody(problem.Message, TypeFor(problem.Status), problem.Param, problem.Code), runId);

    public static IResult From(RunError error, string runId) =>
        Error(error.HttpStatus, new ErrorBody(error.Message, error.Type, error.Param, error.Code), runId);

    public static IResult Error(int status, ErrorBody body, string? runId) =>
        new WireJsonResult<ErrorEnvelope>(new ErrorEnvelope(body, runId), WireJsonContext.Default.ErrorEnvelope, status);

    private static string TypeFor(int status) => status switch
    {
        404 => "invalid_request_error",
        429 => "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };
}
