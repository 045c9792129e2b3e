using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Http;

/// <summary>
/// Random and malformed requests (FsCheck generators with a fixed seed, so a failure reproduces) against every
/// endpoint: never a 5xx, and every error body is the OpenAI error shape. Each property runs a bounded number of cases.
/// </summary>
public sealed class FuzzTests : IClassFixture<KeyWorld>
{
    // The seed of every generator; change it locally to explore, keep it fixed in the repo. Sample(count, seed, size).
    internal static readonly Rnd Seed = new(20261123UL);

    internal static readonly string[] PostPaths = ["/v1/chat/completions", "/v1/images/generations", "/v1/images/edits", "/v1/audio/speech", "/v1/jobs"];

    private static readonly string[] GetPaths = ["/v1/models", "/v1/runs", "/v1/stats", "/v1/alerts", "/metrics", "/healthz", "/readyz", "/v1/webhooks/deliveries"];

    private static readonly string[] ValidBodies =
    [
        """{"model":"text","messages":[{"role":"user","content":"hi"}]}""",
        """{"model":"text","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi"}]}]}""",
        """{"model":"image","prompt":"a lighthouse","size":"256x256","n":1,"response_format":"b64_json"}""",
        """{"model":"enhance","prompt":"x","size":"256x256","response_format":"url"}""",
        """{"model":"speech","input":"hello","voice":"alloy","response_format":"wav","speed":1.5}""",
    ];

    private static readonly string[] Interesting =
    [
        "null", "true", "0", "-1", "1e400", "-0", "4.5", "9223372036854775808", "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"", "\"%s%n\"",
        "\"../../etc/passwd\"", "\"256x256\"", "\"99999x99999\"", "\"0x0\"", "\"auto\"", "\"url\"", "\"b64_json\"", "\"text\"", "\"image\"",
        "\"sandbox-a/sandbox-text\"", "\"placeholder/placeholder\"", "[]", "{}", "[null]", "[{}]", "[\"image\",1]", "{\"type\":\"text\"}",
        "{\"role\":\"user\",\"content\":\"x\"}", "[{\"role\":\"user\",\"content\":null}]", "\"[fail:unavailable]\"", "\"[fail:timeout]\"",
        "\"[empty]\"", "\"[fail:content_rejected]\"", "\"data:image/png;base64,AAAA\"", "\"http://127.0.0.1:1/x.png\"", "\"" + new string('x', 40_000) + "\"",
    ];

    private static readonly string[] Fields =
    [
        "model", "prompt", "messages", "input", "voice", "size", "n", "response_format", "stream", "stream_options", "temperature", "top_p",
        "max_tokens", "seed", "stop", "strength", "image", "mask", "image_url", "negative_prompt", "speed", "quality", "style", "user", "__proto__", "",
        "items", "depends_on", "type", "id", "webhook", "context",
    ];

    private readonly KeyWorld _world;

    public FuzzTests(KeyWorld world)
    {
        _world = world;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task JsonBodies_RandomAndMalformed_Never5xxErrorsAreOpenAIShaped()
    {
        var cases = Gen.Zip(Gen.Elements(PostPaths), JsonBody()).Sample(1500, Seed, 30);

        foreach (var (path, body) in cases)
        {
            using var client = _world.Client(_world.KeyA);
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync(path, content, Ct);
            await AssertSaneAsync(response, $"POST {path} {Show(body)}");
        }

        AssertVaried(200, 400, 404);
    }

    [Fact]
    public async Task Headers_ContentTypeAndAuthorizationVariants_Never5xxErrorsAreOpenAIShaped()
    {
        var cases = Gen.Zip(Gen.Zip(Gen.Elements(PostPaths.Concat(GetPaths).ToArray()), ContentType()), Gen.Zip(Authorization(), HugeHeader())).Sample(600, Seed, 20);

        foreach (var ((path, contentType), (authorization, huge)) in cases)
        {
            using var client = _world.Client(null);
            using var request = new HttpRequestMessage(PostPaths.Contains(path) ? HttpMethod.Post : HttpMethod.Get, path);
            if (request.Method == HttpMethod.Post)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(ValidBodies[0]));
                if (contentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }
            }

            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            if (huge is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Fuzz", huge);
            }

            using var response = await client.SendAsync(request, Ct);
            await AssertSaneAsync(response, $"{request.Method} {path} content-type={contentType} authorization={Show(authorization)} huge={huge?.Length}");
        }

        AssertVaried(200, 401, 415);
    }

    [Fact]
    public async Task Multipart_RandomPartsToEdits_Never5xxErrorsAreOpenAIShaped()
    {
        var cases = Gen.ListOf(Part(_world.Png)).Sample(400, Seed, 8);

        foreach (var parts in cases)
        {
            using var client = _world.Client(_world.KeyA);
            using var form = new MultipartFormDataContent("fuzz-boundary");
            foreach (var part in parts)
            {
                var content = new ByteArrayContent(part.Data);
                if (part.ContentType is not null)
                {
                    content.Headers.TryAddWithoutValidation("Content-Type", part.ContentType);
                }

                if (part.FileName is null)
                {
                    form.Add(content, part.Name);
                }
                else
                {
                    form.Add(content, part.Name, part.FileName);
                }
            }

            using var response = await client.PostAsync("/v1/images/edits", form, Ct);
            await AssertSaneAsync(response, $"multipart {string.Join(", ", parts.Select(p => $"{p.Name}:{p.FileName}:{p.ContentType}:{p.Data.Length}B"))}");
        }

        AssertVaried(200, 400);
    }

    [Fact]
    public async Task QueryStrings_RunsStatsAndResourceIds_Never5xxErrorsAreOpenAIShaped()
    {
        var cases = Gen.Zip(Gen.Elements("/v1/runs", "/v1/stats", "/v1/runs/", "/v1/artifacts/"), Gen.Zip(Text(), Query())).Sample(400, Seed, 20);

        foreach (var (path, (id, query)) in cases)
        {
            var target = path.EndsWith('/') ? path + Uri.EscapeDataString(id.Length == 0 ? "x" : id) + query : path + query;
            foreach (var key in new[] { _world.KeyA, GatewayFactory.AdminKey })
            {
                using var client = _world.Client(key);
                using var response = await client.GetAsync(target, Ct);
                await AssertSaneAsync(response, $"GET {target}");
            }
        }

        AssertVaried(200, 400, 404);
    }

    private readonly HashSet<int> _statuses = [];
    private readonly List<string> _cases = [];

    // The cases must reach the endpoints, not only bounce off one check: both answers and refusals are seen.
    private void AssertVaried(params int[] expected)
    {
        foreach (var status in expected)
        {
            Assert.True(_statuses.Contains(status), $"no case got {status}; seen: {string.Join(", ", _statuses.Order())} in {_cases.Count} cases ({_cases.Distinct().Count()} distinct): {string.Join(" | ", _cases.Take(5))}");
        }
    }

    private async Task AssertSaneAsync(HttpResponseMessage response, string what)
    {
        var status = (int)response.StatusCode;
        _statuses.Add(status);
        _cases.Add(Show(what));
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status < 500, $"{status} for {what}: {Show(text)}");
        if (status < 400)
        {
            return;
        }

        JsonElement error;
        try
        {
            error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            Assert.Fail($"{status} for {what} is not the OpenAI error shape: {Show(text)}");
            return;
        }

        Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.True(error.TryGetProperty("param", out var param) && param.ValueKind is JsonValueKind.String or JsonValueKind.Null, $"param for {what}: {Show(text)}");
        Assert.True(error.TryGetProperty("code", out var code) && code.ValueKind is JsonValueKind.String or JsonValueKind.Null, $"code for {what}: {Show(text)}");
    }

    private static string Show(byte[] body) => Show(Encoding.UTF8.GetString(body));

    private static string Show(string? text) => text is null ? "(none)" : text.Length > 300 ? text[..300] + $"… ({text.Length} chars)" : text;

    // Any JSON value, nested at most `depth` deep.
    private static Gen<string> JsonValue(int depth)
    {
        var leaf = Gen.OneOf(Gen.Elements(Interesting), Text().Select(t => JsonSerializer.Serialize(t)), Gen.Choose(-1000, 100_000).Select(n => n.ToString(CultureInfo.InvariantCulture)));
        if (depth == 0)
        {
            return leaf;
        }

        var array = Gen.ListOf(JsonValue(depth - 1), 4).Select(items => "[" + string.Join(",", items) + "]");
        var obj = Gen.ListOf(Gen.Zip(Gen.Elements(Fields), JsonValue(depth - 1)), 4).Select(pairs => "{" + string.Join(",", pairs.Select(p => $"\"{p.Item1}\":{p.Item2}")) + "}");
        return Gen.Frequency((4, leaf), (1, array), (1, obj));
    }

    // Valid bodies with a field replaced or added, random objects, malformed text, truncations and deep nesting.
    internal static Gen<byte[]> JsonBody()
    {
        var mutated = Gen.Zip(Gen.Elements(ValidBodies), Gen.Zip(Gen.Elements(Fields), JsonValue(2)))
            .Select(t => t.Item1.Insert(1, $"\"{t.Item2.Item1}\":{t.Item2.Item2},"));
        var random = JsonValue(3);
        var truncated = Gen.Zip(Gen.Elements(ValidBodies), Gen.Choose(0, 100)).Select(t => t.Item1[..Math.Min(t.Item1.Length, t.Item2)]);
        var garbage = Gen.Zip(Gen.Elements(ValidBodies), Gen.Zip(Gen.Choose(0, 60), Gen.Elements("\u0000", "\"", "}", "{", ",", "\\", "\uFFFF", "'", "/*", "NaN", "\n"))).Select(t => t.Item1.Insert(Math.Min(t.Item1.Length, t.Item2.Item1), t.Item2.Item2));
        var deep = Gen.Choose(1, 3000).Select(n => "{\"model\":" + new string('[', n) + new string(']', n) + "}");
        var duplicate = Gen.Elements(ValidBodies).Select(b => b.Insert(1, "\"model\":[1],"));
        var text = Gen.OneOf(mutated, mutated, mutated, random, truncated, garbage, deep, duplicate);
        var bytes = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 64);
        return Gen.Frequency((12, text.Select(Encoding.UTF8.GetBytes)), (1, bytes));
    }

    private static Gen<string> Text() =>
        Gen.OneOf(
            Gen.Elements("", " ", "x", "run_00000000000000000000", "art_0000000000000000000000", "..", "../../etc/passwd", "%00", "\u00e9\u4e2d", "a b", "run_" + new string('9', 500)),
            Gen.ListOf(Gen.Choose(32, 126).Select(c => (char)c), 20).Select(chars => new string([.. chars])));

    private static Gen<string> Query()
    {
        var names = Gen.Elements("status", "outcome", "since", "until", "limit", "after", "key", "route", "provider", "model", "preset", "error_class", "skip_reason", "by", "sig", "expires", "");
        var values = Gen.OneOf(
            Gen.Elements("1h", "24h", "-5m", "0", "999999999999d", "2026-11-23T12:00:00Z", "garbage", "success", "failed", "provider", "error", "key", "-1", "1000000", "1e9", "", "%", "%zz", "run_1"),
            Text().Select(Uri.EscapeDataString));
        var pair = Gen.Zip(names, values).Select(p => $"{p.Item1}={p.Item2}");
        return Gen.ListOf(pair, 5).Select(pairs => pairs.Count == 0 ? "" : "?" + string.Join("&", pairs));
    }

    private static Gen<string?> ContentType() =>
        Gen.Elements<string?>(
            null, "application/json", "application/json; charset=utf-8", "application/json; charset=utf-16", "APPLICATION/JSON", "text/plain", "text/json",
            "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=xyz", "application/problem+json",
            "application/json;;;", ";", "", "*/*", "application/" + new string('j', 5000), "image/png");

    private static Gen<string?> Authorization() =>
        Gen.OneOf(
            Gen.Elements<string?>(
                null, "Bearer", "Bearer ", "bearer " + GatewayFactory.AdminKey, "Bearer  " + GatewayFactory.AdminKey + "  ", "Basic dXNlcjpwYXNz", "Bearer sy_",
                "Bearer sy_AAAAAAAAAAAA_", "Bearer sy_AAAAAAAAAAA!_" + new string('x', 40), "Bearer sy_TestAdmin001_wrong-secret-wrong-secret-wrong", "Token abc",
                "Bearer " + new string('a', 20_000), "Bearer sy_" + new string('A', 12) + "_" + new string('b', 100_000), GatewayFactory.AdminKey),
            Gen.Constant<string?>("Bearer " + GatewayFactory.AdminKey));

    private static Gen<string?> HugeHeader() =>
        Gen.Frequency((4, Gen.Constant<string?>(null)), (1, Gen.Choose(1, 64).Select<int, string?>(kb => new string('h', kb * 1024))));

    private sealed record FormPart(string Name, string? FileName, string? ContentType, byte[] Data);

    private static Gen<FormPart> Part(byte[] png)
    {
        var name = Gen.Elements("image", "image[]", "mask", "prompt", "model", "n", "size", "strength", "response_format", "seed", "image_url", "x");
        var fileName = Gen.Elements<string?>(null, "a.png", "../../x.png", "\u00e9.png", new string('f', 300));
        var contentType = Gen.Elements<string?>(null, "image/png", "image/jpeg", "application/octet-stream", "text/plain", "image/png; charset=x");
        var data = Gen.OneOf(
            Gen.Constant(png),
            Gen.Elements("image", "text", "placeholder/placeholder", "2", "-3", "abc", "256x256", "0.5", "NaN", "1e999", "", "url").Select(Encoding.UTF8.GetBytes),
            Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 200),
            Gen.Choose(1, 200).Select(cut => png[..Math.Min(png.Length, cut)]));
        return Gen.Zip(Gen.Zip(name, fileName), Gen.Zip(contentType, data)).Select(t => new FormPart(t.Item1.Item1, t.Item1.Item2, t.Item2.Item1, t.Item2.Item2));
    }
}
