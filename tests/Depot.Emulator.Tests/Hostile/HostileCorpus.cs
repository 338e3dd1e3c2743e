using System.Text;
using Depot.Emulator.Domain.Matrix;
using Depot.Emulator.Tests.Support;

namespace Depot.Emulator.Tests.Hostile;

/// <summary>
/// The hostile corpus: requests no real client sends, across Connect (protobuf, JSON, envelopes, compression,
/// timeouts), auth headers and JWTs, the registry and the control plane, each with its documented answer.
/// </summary>
public static class HostileCorpus
{
    private static readonly PermissionMatrix Matrix = PermissionMatrix.Load();

    private static readonly HashSet<string> Streaming = new(StringComparer.Ordinal)
    {
        "depot.cli.v1.LoginService/FinishLogin", "depot.buildkit.v1.BuildKitService/GetEndpoint",
        "depot.buildkit.v1.BuildKitService/ReportHealth", "depot.cli.v1.BuildService/ReportStatusStream",
        "depot.ci.v1.CIService/StreamJobAttemptLogs", "depot.ci.v1.CIService/ExportJobAttemptLogs",
    };

    /// <summary>Bytes that are not a protobuf message of any type: truncated fields, bad wire types, field 0, an endless varint, an open group.</summary>
    public static readonly IReadOnlyDictionary<string, byte[]> BadProtobuf = new Dictionary<string, byte[]>
    {
        ["truncated-length"] = [0x0A],
        ["huge-length"] = [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
        ["truncated-varint"] = [0x08],
        ["wire-type-7"] = [0x0F, 0x01],
        ["field-zero"] = [0x00, 0x01],
        ["endless-varint"] = [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
    };

    public static readonly IReadOnlyDictionary<string, byte[]> BadJson = new Dictionary<string, byte[]>
    {
        ["open-brace"] = "{"u8.ToArray(),
        ["array"] = "[]"u8.ToArray(),
        ["invalid-utf8"] = [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D],
    };

    /// <summary>64 MiB of zeros in 64 KiB of gzip.</summary>
    public static readonly byte[] GzipBomb = HostileCase.Bomb(64 << 20);

    public const string OrgSecret = "test-org-acme";

    public static readonly IReadOnlyDictionary<string, HostileCase> All = Build().ToDictionary(c => c.Name, StringComparer.Ordinal);

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in All.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    private static IEnumerable<HostileCase> Build()
    {
        var unary = ProcedureCalls.TokenOperations(Matrix).Where(o => !Streaming.Contains(o.Name)).Select(o => o.Name).ToList();
        foreach (var procedure in unary)
        {
            foreach (var c in ConnectUnary(procedure))
            {
                yield return c;
            }
        }

        foreach (var c in ConnectHeaders().Concat(ConnectStreams()).Concat(AuthHeaders()).Concat(Paging()).Concat(Registry()).Concat(ControlPlane()))
        {
            yield return c;
        }
    }

    private static IEnumerable<HostileCase> ConnectUnary(string procedure)
    {
        var operation = Matrix.Operation(procedure);
        var allowed = TokenTypes.All.Where(t => Matrix.Decide(t, operation).IsAllowed).Select(TestSeeds.Secret).FirstOrDefault();
        var denied = TokenTypes.All.Where(t => !Matrix.Decide(t, operation).IsAllowed).Select(TestSeeds.Secret).FirstOrDefault();
        var path = "/" + procedure;

        // Authentication and authorization come before the body: garbage never reaches the decoder without a token.
        yield return Connect($"connect/{procedure}/anonymous-garbage", path, BadProtobuf["huge-length"], null, 401, "unauthenticated");
        yield return Connect($"connect/{procedure}/anonymous-gzip-bomb", path, GzipBomb, null, 401, "unauthenticated", gzip: true);
        if (denied is not null)
        {
            yield return Connect($"connect/{procedure}/denied-garbage", path, BadProtobuf["truncated-length"], denied, 403, "permission_denied");
        }

        if (allowed is null)
        {
            yield break;
        }

        foreach (var (name, body) in BadProtobuf)
        {
            yield return Connect($"connect/{procedure}/proto-{name}", path, body, allowed, 400, "invalid_argument");
        }

        yield return Connect($"connect/{procedure}/json-open-brace", path, BadJson["open-brace"], allowed, 400, "invalid_argument", json: true);
        yield return Connect($"connect/{procedure}/gzip-bomb", path, GzipBomb, allowed, 429, "resource_exhausted", gzip: true);
    }

    private static IEnumerable<HostileCase> ConnectHeaders()
    {
        const string path = "/depot.core.v1.ProjectService/ListProjects";
        var empty = Array.Empty<byte>();
        foreach (var (name, body) in BadJson)
        {
            yield return Connect($"connect/json/{name}", path, body, OrgSecret, 400, "invalid_argument", json: true);
        }

        foreach (var timeout in new[] { "abc", "-1", "12345678901", " 5", "1e3" })
        {
            yield return Connect($"connect/timeout/{timeout.Trim()}-{timeout.Length}", path, empty, OrgSecret, 400, "invalid_argument",
                headers: new() { ["Connect-Timeout-Ms"] = timeout });
        }

        foreach (var version in new[] { "2", "0", "one" })
        {
            yield return Connect($"connect/protocol-version/{version}", path, empty, OrgSecret, 400, "invalid_argument",
                headers: new() { ["Connect-Protocol-Version"] = version });
        }

        foreach (var type in new[] { "text/plain", "application/xml", "application/connect+proto", "multipart/form-data" })
        {
            yield return Case($"connect/content-type/{type}", "connect", HttpMethod.Post, path, empty, type, new() { ["Authorization"] = "Bearer " + OrgSecret }, 415, "invalid_argument");
        }

        yield return Case("connect/method/get", "connect", HttpMethod.Get, path, null, null, new(), 405, "unimplemented");
        yield return Connect("connect/encoding/br", path, empty, OrgSecret, 501, "unimplemented", headers: new() { ["Content-Encoding"] = "br" });
        yield return Connect("connect/gzip/not-gzip", path, "plain"u8.ToArray(), OrgSecret, 400, "invalid_argument", gzip: true);
        yield return Connect("connect/oversized/9MiB", path, new byte[9 << 20], OrgSecret, 429, "resource_exhausted");
        yield return Connect("connect/unknown-procedure", "/depot.core.v1.ProjectService/NoSuchMethod", empty, null, 501, "unimplemented");
    }

    private static IEnumerable<HostileCase> ConnectStreams()
    {
        const string path = "/depot.buildkit.v1.BuildKitService/GetEndpoint";
        var build = TestSeeds.Secret(TokenType.Build);
        var cases = new (string Name, byte[] Body, string? Token, string Code)[]
        {
            ("anonymous-oversized-envelope", HostileCase.Envelope(0, [], 0x7FFFFFFF), null, "unauthenticated"),
            ("oversized-envelope", HostileCase.Envelope(0, [], 0x7FFFFFFF), build, "resource_exhausted"),
            ("bad-flags", HostileCase.Envelope(0x80, []), build, "invalid_argument"),
            ("compressed-without-encoding", HostileCase.Envelope(1, [1, 2, 3]), build, "invalid_argument"),
            ("truncated-envelope", [0, 0, 0, 0, 9, 1], build, "invalid_argument"),
            ("garbage-message", HostileCase.Envelope(0, BadProtobuf["truncated-length"]), build, "invalid_argument"),
            ("two-messages", [.. HostileCase.Envelope(0, []), .. HostileCase.Envelope(0, [])], build, "invalid_argument"),
            ("no-message", [], build, "invalid_argument"),
        };
        foreach (var (name, body, token, code) in cases)
        {
            var headers = new Dictionary<string, string> { ["Connect-Protocol-Version"] = "1" };
            if (token is not null)
            {
                headers["Authorization"] = "Bearer " + token;
            }

            yield return Case($"connect-stream/{name}", "connect", HttpMethod.Post, path, body, "application/connect+proto", headers, 200, code);
        }
    }

    private static IEnumerable<HostileCase> AuthHeaders()
    {
        var jwtDuplicateKeys = Jwt("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", "{\"iss\":\"a\",\"iss\":\"b\"}");
        var jwtHeaderDuplicate = Jwt("{\"alg\":\"RS256\",\"alg\":\"none\"}", "{\"iss\":\"a\"}");
        var jwtNone = Jwt("{\"alg\":\"none\"}", "{\"iss\":\"http://localhost/_emulator/oidc/github\",\"aud\":\"https://depot.dev\",\"exp\":9999999999}");
        var headers = new (string Name, string Value)[]
        {
            ("no-space-secret", "s3cr3t-no-space-value"),
            ("bearer-empty", "Bearer "),
            ("bearer-unknown", "Bearer depot_org_notatokenatall0000"),
            ("basic-not-base64", "Basic !!!notbase64-secret"),
            ("digest-scheme", "Digest s3cr3t-digest-value"),
            ("jwt-duplicate-payload-key", "Bearer " + jwtDuplicateKeys),
            ("jwt-duplicate-header-key", "Bearer " + jwtHeaderDuplicate),
            ("jwt-alg-none", "Bearer " + jwtNone),
            ("jwt-garbage", "Bearer eyJ.eyJ.sig"),
            ("long-bearer", "Bearer " + new string('x', 8000)),
        };
        foreach (var (name, value) in headers)
        {
            var secret = value.StartsWith("Bearer ", StringComparison.Ordinal) ? value[7..] : value;
            var secrets = secret.Trim().Length >= 8 ? new[] { secret.Trim() } : [];
            yield return Case($"auth/connect/{name}", "connect", HttpMethod.Post, "/depot.core.v1.ProjectService/ListProjects", [], "application/proto",
                new() { ["Authorization"] = value, ["Connect-Protocol-Version"] = "1" }, 401, "unauthenticated", secrets);
            yield return Case($"auth/registry/{name}", "registry", HttpMethod.Get, "/v2/proj-web/tags/list", null, null,
                new() { ["Authorization"] = value }, 401, "UNAUTHORIZED", secrets);
        }

        foreach (var (name, jwt) in new[] { ("duplicate-payload-key", jwtDuplicateKeys), ("duplicate-header-key", jwtHeaderDuplicate), ("alg-none", jwtNone) })
        {
            yield return Case($"auth/oidc-exchange/{name}", "oidc", HttpMethod.Post, "/auth/oidc/github-actions",
                Encoding.UTF8.GetBytes($"{{\"token\":\"{jwt}\"}}"), "application/json", new(), 401, "ok-false", [jwt]);
        }
    }

    private static IEnumerable<HostileCase> Paging()
    {
        var procedures = new (string Procedure, string Json)[]
        {
            ("depot.core.v1.ProjectService/ListProjects", "{{\"pageToken\":\"{0}\"}}"),
            ("depot.core.v1.BuildService/ListBuilds", "{{\"projectId\":\"proj-web\",\"pageToken\":\"{0}\"}}"),
            ("depot.build.v1.RegistryService/ListImages", "{{\"projectId\":\"proj-web\",\"pageToken\":\"{0}\"}}"),
            ("depot.cli.v1.BuildService/ListBuilds", "{{\"projectId\":\"proj-web\",\"pageToken\":\"{0}\"}}"),
        };
        var tokens = new[] { "99999999999", "-1", "2147483648", "1 ", "abc" };
        foreach (var (procedure, template) in procedures)
        {
            var operation = Matrix.Operation(procedure);
            var secret = TokenTypes.All.Where(t => Matrix.Decide(t, operation).IsAllowed).Select(TestSeeds.Secret).First();
            foreach (var token in tokens)
            {
                var body = Encoding.UTF8.GetBytes(string.Format(template, Convert.ToBase64String(Encoding.UTF8.GetBytes(token))));
                yield return Connect($"paging/{procedure}/{token.Trim()}-{token.Length}", "/" + procedure, body, secret, 400, "invalid_argument", json: true);
            }

            yield return Connect($"paging/{procedure}/not-base64", "/" + procedure,
                Encoding.UTF8.GetBytes(string.Format(template, "!!!")), secret, 400, "invalid_argument", json: true);
        }
    }

    private static IEnumerable<HostileCase> Registry()
    {
        var org = new Dictionary<string, string> { ["Authorization"] = HostileCase.Basic(OrgSecret) };
        var digest = "sha256:" + new string('0', 64);
        var manifestType = "application/vnd.oci.image.manifest.v1+json";
        var cases = new (string Name, HttpMethod Method, string Path, byte[]? Body, string? Type, int Status, string Code)[]
        {
            ("anonymous-push", HttpMethod.Put, "/v2/proj-web/manifests/v1", "{}"u8.ToArray(), manifestType, 401, "UNAUTHORIZED"),
            ("bad-digest", HttpMethod.Get, "/v2/proj-web/blobs/sha256:xyz", null, null, 400, "DIGEST_INVALID"),
            ("unknown-blob", HttpMethod.Get, $"/v2/proj-web/blobs/{digest}", null, null, 404, "BLOB_UNKNOWN"),
            ("unknown-manifest", HttpMethod.Get, "/v2/proj-web/manifests/nope", null, null, 404, "MANIFEST_UNKNOWN"),
            ("manifest-not-json", HttpMethod.Put, "/v2/proj-web/manifests/v1", "{"u8.ToArray(), manifestType, 400, "MANIFEST_INVALID"),
            ("manifest-invalid-utf8", HttpMethod.Put, "/v2/proj-web/manifests/v1",
                [.. "{\"schemaVersion\":2,\"mediaType\":\""u8.ToArray(), 0xC3, 0x28, .. "\"}"u8.ToArray()], manifestType, 400, "MANIFEST_INVALID"),
            ("manifest-array", HttpMethod.Put, "/v2/proj-web/manifests/v1", "[]"u8.ToArray(), manifestType, 400, "MANIFEST_INVALID"),
            ("manifest-schema-1", HttpMethod.Put, "/v2/proj-web/manifests/v1", "{\"schemaVersion\":1}"u8.ToArray(), manifestType, 400, "MANIFEST_INVALID"),
            ("tags-n-negative", HttpMethod.Get, "/v2/proj-web/tags/list?n=-1", null, null, 400, "PAGINATION_NUMBER_INVALID"),
            ("tags-n-text", HttpMethod.Get, "/v2/proj-web/tags/list?n=abc", null, null, 400, "PAGINATION_NUMBER_INVALID"),
            ("tags-n-overflow", HttpMethod.Get, "/v2/proj-web/tags/list?n=99999999999", null, null, 400, "PAGINATION_NUMBER_INVALID"),
            ("unknown-upload", HttpMethod.Patch, "/v2/proj-web/blobs/uploads/nope", [1], "application/octet-stream", 404, "BLOB_UPLOAD_UNKNOWN"),
            ("upload-bad-digest", HttpMethod.Post, "/v2/proj-web/blobs/uploads/?digest=sha256:zz", [], "application/octet-stream", 400, "DIGEST_INVALID"),
            ("no-such-endpoint", HttpMethod.Get, "/v2/proj-web/nothing/here", null, null, 405, "UNSUPPORTED"),
            ("foreign-project", HttpMethod.Get, "/v2/proj-ops/tags/list", null, null, 404, "NAME_UNKNOWN"),
            ("missing-project", HttpMethod.Get, "/v2/proj-nope/tags/list", null, null, 404, "NAME_UNKNOWN"),
            ("wrong-verb", HttpMethod.Delete, "/v2/", null, null, 405, "UNSUPPORTED"),
        };
        foreach (var (name, method, path, body, type, status, code) in cases)
        {
            yield return Case($"registry/{name}", "registry", method, path, body, type, name.StartsWith("anonymous", StringComparison.Ordinal) ? new() : new(org), status, code);
        }
    }

    private static IEnumerable<HostileCase> ControlPlane()
    {
        foreach (var seconds in new[] { "3e11", "1e20", "\"NaN\"", "\"Infinity\"", "-1", "\"abc\"", "null", "1e400" })
        {
            yield return Control($"control/clock-advance/{seconds.Trim('"')}", HttpMethod.Post, "/_emulator/clock/advance",
                $"{{\"seconds\":{seconds}}}", "application/json", 400, "invalid_argument");
        }

        yield return Control("control/clock-advance/not-an-object", HttpMethod.Post, "/_emulator/clock/advance", "[1]", "application/json", 400, "invalid_argument");
        foreach (var path in new[] { "/_emulator/tokens", "/_emulator/seed", "/_emulator/reset", "/_emulator/clock/advance", "/_emulator/trust-policies" })
        {
            yield return Control($"control/text-plain{path}", HttpMethod.Post, path, "{\"type\":\"organization\",\"organization\":\"org-acme\",\"secret\":\"cross-site-secret\"}",
                "text/plain", 403, "permission_denied", secrets: ["cross-site-secret"]);
            yield return Control($"control/form{path}", HttpMethod.Post, path, "a=b", "application/x-www-form-urlencoded", 403, "permission_denied");
            yield return Control($"control/foreign-origin{path}", HttpMethod.Post, path, "{}", "application/json", 403, "permission_denied",
                headers: new() { ["Origin"] = "https://evil.example" });
            yield return Control($"control/null-origin{path}", HttpMethod.Post, path, "{}", "application/json", 403, "permission_denied",
                headers: new() { ["Origin"] = "null" });
            yield return Control($"control/foreign-host{path}", HttpMethod.Post, path, "{}", "application/json", 403, "permission_denied",
                headers: new() { ["Host"] = "evil.example" });
        }

        yield return Control("control/unknown-route", HttpMethod.Get, "/_emulator/nothing", null, null, 404, "not_found");
        yield return Control("control/wrong-verb", HttpMethod.Put, "/_emulator/health", null, null, 404, "not_found");
        yield return Control("control/journal-since-text", HttpMethod.Get, "/_emulator/journal?since=abc", null, null, 400, "invalid_argument");
        yield return Control("control/journal-limit-text", HttpMethod.Get, "/_emulator/journal?limit=xyz", null, null, 400, "invalid_argument");
        yield return Control("control/seed-duplicate-key", HttpMethod.Post, "/_emulator/seed", "organizations: [{id: a}]\norganizations: [{id: b}]\n", "application/yaml", 400, "invalid_argument");
        yield return Control("control/seed-unknown-key", HttpMethod.Post, "/_emulator/seed", "{\"nope\": 1}", "application/json", 400, "invalid_argument");
        yield return Control("control/tokens-bad-json", HttpMethod.Post, "/_emulator/tokens", "{", "application/json", 400, "invalid_argument");
        yield return Control("control/tokens-bad-type", HttpMethod.Post, "/_emulator/tokens", "{\"type\":\"root\"}", "application/json", 400, "invalid_argument");
        yield return Control("control/tokens-ttl-overflow", HttpMethod.Post, "/_emulator/tokens", "{\"type\":\"pull\",\"project\":\"proj-web\",\"ttlSeconds\":99999999999}", "application/json", 400, "invalid_argument");
    }

    private static string Jwt(string header, string payload) =>
        $"{B64(header)}.{B64(payload)}.c2lnbmF0dXJl";

    private static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static HostileCase Connect(string name, string path, byte[] body, string? token, int status, string code,
        bool json = false, bool gzip = false, Dictionary<string, string>? headers = null)
    {
        var all = new Dictionary<string, string> { ["Connect-Protocol-Version"] = "1" };
        if (token is not null)
        {
            all["Authorization"] = "Bearer " + token;
        }

        if (gzip)
        {
            all["Content-Encoding"] = "gzip";
            if (!ReferenceEquals(body, GzipBomb))
            {
                body = body.Length > 0 && body[0] == 0x1F ? body : (name.EndsWith("not-gzip", StringComparison.Ordinal) ? body : HostileCase.Gzip(body));
            }
        }

        foreach (var (key, value) in headers ?? [])
        {
            all[key] = value;
        }

        return Case(name, "connect", HttpMethod.Post, path, body, json ? "application/json" : "application/proto", all, status, code);
    }

    private static HostileCase Control(string name, HttpMethod method, string path, string? body, string? type, int status, string code,
        Dictionary<string, string>? headers = null, IReadOnlyList<string>? secrets = null) =>
        Case(name, "control", method, path, body is null ? null : Encoding.UTF8.GetBytes(body), type, headers ?? new(), status, code, secrets);

    private static HostileCase Case(string name, string surface, HttpMethod method, string path, byte[]? body, string? type,
        Dictionary<string, string> headers, int status, string code, IReadOnlyList<string>? secrets = null) =>
        new(name, surface, method, path, body, type, headers, status, code, secrets ?? []);
}
