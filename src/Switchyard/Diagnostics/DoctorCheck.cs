using System.Text.Json.Serialization;

namespace Switchyard.Diagnostics;

/// <summary>How a check came out.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CheckStatus>))]
internal enum CheckStatus
{
    /// <summary>Fine.</summary>
    [JsonStringEnumMemberName("ok")]
    Ok,

    /// <summary>Works, but something deserves attention.</summary>
    [JsonStringEnumMemberName("warn")]
    Warn,

    /// <summary>Broken: requests will fail or be degraded because of it.</summary>
    [JsonStringEnumMemberName("fail")]
    Fail,
}

/// <summary>One line of <c>switchyard doctor</c>: what was checked, how it came out, the cause and the fix.</summary>
/// <param name="Area">config, secret, database, disk, artifacts, redis, provider or route.</param>
/// <param name="Subject">What exactly (a provider name, a route name, a config path).</param>
/// <param name="Status">ok, warn or fail.</param>
/// <param name="Cause">What was found.</param>
/// <param name="Fix">What to do (null when ok).</param>
internal sealed record DoctorCheck(
    [property: JsonPropertyName("area")] string Area,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("status")] CheckStatus Status,
    [property: JsonPropertyName("cause")] string Cause,
    [property: JsonPropertyName("fix")] string? Fix)
{
    public static DoctorCheck Ok(string area, string subject, string cause) => new(area, subject, CheckStatus.Ok, cause, null);

    public static DoctorCheck Warn(string area, string subject, string cause, string fix) => new(area, subject, CheckStatus.Warn, cause, fix);

    public static DoctorCheck Fail(string area, string subject, string cause, string fix) => new(area, subject, CheckStatus.Fail, cause, fix);
}
