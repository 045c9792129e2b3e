namespace Switchyard.Questions;

/// <summary>A bad question parameter: which one (its API name, e.g. <c>error_class</c>) and what is wrong with it.</summary>
/// <param name="Param">The parameter's name as the caller spelled it.</param>
/// <param name="Message">What is wrong and what would be accepted.</param>
internal sealed record ParameterProblem(string Param, string Message);
