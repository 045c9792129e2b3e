namespace Switchyard.Http;

/// <summary>What is wrong with a client's request, before any provider is involved.</summary>
/// <param name="Status">400, 404, 413 or 415; 499 when the client went away before its body arrived.</param>
/// <param name="Message">What is wrong, naming the field.</param>
/// <param name="Param">The offending field, or null.</param>
/// <param name="Code">A stable machine code.</param>
internal sealed record RequestProblem(int Status, string Message, string? Param, string Code)
{
    public static RequestProblem Field(string param, string message, string code = "invalid_value") => new(400, message, param, code);
}
