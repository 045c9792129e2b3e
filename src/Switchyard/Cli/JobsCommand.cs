using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using Switchyard.Jobs;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard jobs submit FILE | status ID | cancel ID</c>: talks to a running gateway over HTTP (<c>--url</c>,
/// key from <c>--key</c> or <c>SWITCHYARD_API_KEY</c>). <c>submit</c> shows a progress bar until the job is done,
/// unless <c>--detach</c>.
/// </summary>
internal static class JobsCommand
{
    public const string KeyVariable = "SWITCHYARD_API_KEY";
    public const string DefaultUrl = "http://127.0.0.1:8080";

    public static Command Create(CliEnvironment env, Func<HttpMessageHandler>? handler = null)
    {
        handler ??= env.HttpHandler;
        var command = new Command("jobs", "Submit batch jobs to a running gateway, follow them, cancel them.");
        command.Subcommands.Add(Submit(env, handler));
        command.Subcommands.Add(Status(env, handler));
        command.Subcommands.Add(Cancel(env, handler));
        return command;
    }

    private static (Option<string> Url, Option<string?> Key, Option<bool> Json) Common() => (
        new Option<string>("--url") { Description = $"The gateway's base URL (default {DefaultUrl}).", DefaultValueFactory = _ => DefaultUrl },
        new Option<string?>("--key") { Description = $"The API key (default: ${KeyVariable})." },
        CliOptions.Json());

    private static Command Submit(CliEnvironment env, Func<HttpMessageHandler>? handler)
    {
        var (url, key, json) = Common();
        var file = new Argument<string>("FILE") { Description = "The job body (JSON: items, context, webhook), or - for standard input." };
        var detach = new Option<bool>("--detach") { Description = "Print the job id and return at once instead of following it." };
        var idempotency = new Option<string?>("--idempotency-key") { Description = "Sent as Idempotency-Key: submitting again with it returns the same job." };
        var command = new Command("submit", "Submit a job and follow it with a progress bar until it is done.") { file, url, key, json, detach, idempotency };
        command.SetAction(async (result, ct) =>
        {
            var path = result.GetRequiredValue(file);
            string body;
            try
            {
                body = path == "-" ? await Console.In.ReadToEndAsync(ct) : await File.ReadAllTextAsync(path, ct);
            }
            catch (IOException ex)
            {
                await env.Error.WriteLineAsync($"Cannot read {path}: {ex.Message}");
                return CliExitCodes.NotFound;
            }

            return await WithClientAsync(env, result.GetValue(url)!, result.GetValue(key), handler, async client =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "v1/jobs") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                if (result.GetValue(idempotency) is { Length: > 0 } idem)
                {
                    request.Headers.Add("Idempotency-Key", idem);
                }

                var (view, code) = await SendAsync(env, client, request, ct);
                if (view is null)
                {
                    return code;
                }

                if (!result.GetValue(detach))
                {
                    view = await FollowAsync(env, client, view, result.GetValue(json), ct) ?? view;
                }

                await WriteAsync(env, view, result.GetValue(json));
                return view.Status is "failed" ? 3 : CliExitCodes.Ok;
            });
        });
        return command;
    }

    private static Command Status(CliEnvironment env, Func<HttpMessageHandler>? handler)
    {
        var (url, key, json) = Common();
        var id = new Argument<string>("ID") { Description = "The job id (job_…)." };
        var command = new Command("status", "Show a job: its status, counts, and each item's runs, output or reason.") { id, url, key, json };
        command.SetAction(async (result, ct) =>
            await WithClientAsync(env, result.GetValue(url)!, result.GetValue(key), handler, async client =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/jobs/{Uri.EscapeDataString(result.GetRequiredValue(id))}");
                var (view, code) = await SendAsync(env, client, request, ct);
                if (view is not null)
                {
                    await WriteAsync(env, view, result.GetValue(json));
                }

                return code;
            }));
        return command;
    }

    private static Command Cancel(CliEnvironment env, Func<HttpMessageHandler>? handler)
    {
        var (url, key, json) = Common();
        var id = new Argument<string>("ID") { Description = "The job id (job_…)." };
        var command = new Command("cancel", "Cancel a job: items not started are cancelled, running ones finish.") { id, url, key, json };
        command.SetAction(async (result, ct) =>
            await WithClientAsync(env, result.GetValue(url)!, result.GetValue(key), handler, async client =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"v1/jobs/{Uri.EscapeDataString(result.GetRequiredValue(id))}/cancel");
                var (view, code) = await SendAsync(env, client, request, ct);
                if (view is not null)
                {
                    await WriteAsync(env, view, result.GetValue(json));
                }

                return code;
            }));
        return command;
    }

    private static async Task<int> WithClientAsync(CliEnvironment env, string url, string? key, Func<HttpMessageHandler>? handler, Func<HttpClient, Task<int>> work)
    {
        key ??= env.Variable(KeyVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            await env.Error.WriteLineAsync($"No API key: pass --key KEY or set {KeyVariable} (create one with 'switchyard keys create').");
            return CliExitCodes.BadConfig;
        }

        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var baseAddress) || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
        {
            await env.Error.WriteLineAsync($"--url: '{url}' is not an http(s) URL");
            return CliExitCodes.BadConfig;
        }

        using var client = handler is null ? new HttpClient() : new HttpClient(handler(), disposeHandler: true);
        client.BaseAddress = baseAddress;
        client.Timeout = TimeSpan.FromSeconds(60);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
        try
        {
            return await work(client);
        }
        catch (HttpRequestException ex)
        {
            await env.Error.WriteLineAsync($"Cannot reach the gateway at {baseAddress}: {ex.Message}. Is 'switchyard serve' running there? (--url)");
            return CliExitCodes.NotFound;
        }
    }

    private static async Task<(JobView? View, int ExitCode)> SendAsync(CliEnvironment env, HttpClient client, HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await client.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.IsSuccessStatusCode)
        {
            return (JsonSerializer.Deserialize(text, JobsJsonContext.Wire.JobView), CliExitCodes.Ok);
        }

        // The gateway's error body says what is wrong and names the field.
        var message = text;
        try
        {
            using var error = JsonDocument.Parse(text);
            var body = error.RootElement.GetProperty("error");
            var param = body.TryGetProperty("param", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() + ": " : "";
            message = param + body.GetProperty("message").GetString();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Not an OpenAI error body: print it as it came.
        }

        await env.Error.WriteLineAsync($"HTTP {(int)response.StatusCode}: {message}");
        return (null, response.StatusCode == System.Net.HttpStatusCode.NotFound ? CliExitCodes.NotFound : CliExitCodes.BadConfig);
    }

    private static async Task<JobView?> FollowAsync(CliEnvironment env, HttpClient client, JobView view, bool json, CancellationToken ct)
    {
        async Task<JobView> PollAsync(Action<JobView> progress)
        {
            var current = view;
            while (!IsFinished(current.Status))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), env.Time, ct);
                using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/jobs/{current.Id}");
                var (next, _) = await SendAsync(env, client, request, ct);
                current = next ?? current;
                progress(current);
            }

            return current;
        }

        if (json)
        {
            return await PollAsync(_ => { });
        }

        JobView? last = null;
        await env.Human.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"{view.Id}", maxValue: view.Counts.Total);
                void Show(JobView v)
                {
                    var done = v.Counts.Succeeded + v.Counts.Failed + v.Counts.Skipped + v.Counts.Cancelled;
                    task.Value = done;
                    task.Description = $"{v.Id} [grey]{v.Status}: {v.Counts.Succeeded} ok, {v.Counts.Failed} failed, {v.Counts.Skipped} skipped, {v.Counts.Running} running[/]";
                }

                Show(view);
                last = await PollAsync(Show);
                Show(last);
            });
        return last;
    }

    private static bool IsFinished(string status) => status is "succeeded" or "partially_succeeded" or "failed" or "cancelled";

    private static async Task WriteAsync(CliEnvironment env, JobView view, bool json)
    {
        if (json)
        {
            await CliOptions.WriteJsonAsync(env, view, JobsJsonContext.Indented.JobView);
            return;
        }

        env.Human.MarkupLine($"[bold]{Markup.Escape(view.Id)}[/] {Markup.Escape(view.Status)}: {view.Counts.Succeeded}/{view.Counts.Total} succeeded, {view.Counts.Failed} failed, {view.Counts.Skipped} skipped, {view.Counts.Cancelled} cancelled");
        var table = new Table().AddColumns("item", "type", "status", "attempts", "runs", "output / reason");
        foreach (var item in view.Items)
        {
            var detail = item.Output is { } output
                ? output.Text is { } text ? Truncate(text) : string.Join(", ", output.ArtifactIds)
                : item.Error is { } error ? $"{error.Class}: {error.Message}" : item.LastError is { } last ? $"last: {last.Class}: {last.Message}" : "";
            table.AddRow(
                Markup.Escape(item.Id),
                Markup.Escape(item.Type),
                CliFormat.Status(item.Status switch { "succeeded" => "success", "running" or "queued" or "waiting" => item.Status, _ => item.Status }),
                CliFormat.Number(item.Attempts),
                CliFormat.Text(string.Join(", ", item.RunIds)),
                CliFormat.Text(detail));
        }

        env.Human.Write(table);
    }

    private static string Truncate(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
