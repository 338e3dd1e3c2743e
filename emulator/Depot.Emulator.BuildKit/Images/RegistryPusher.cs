using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Depot.Emulator.BuildKit.Dockerfiles;

namespace Depot.Emulator.BuildKit.Images;

/// <summary>A user name and secret for a registry, as a client's session hands them out.</summary>
public sealed record RegistryCredentials(string Username, string Secret);

/// <summary>
/// Pushes an image over the distribution API the way BuildKit's image exporter does: blobs (monolithic
/// upload, skipped when present), then the manifest under its tag. Speaks HTTP Basic and Docker token auth.
/// </summary>
public sealed class RegistryPusher(HttpClient http)
{
    public async Task PushAsync(OciImage image, string reference, Func<string, Task<RegistryCredentials?>> credentials,
        bool insecure, CancellationToken cancellationToken)
    {
        var (name, suffix) = ImageReference.SplitSuffix(ImageReference.Normalize(reference));
        var slash = name.IndexOf('/');
        var host = name[..slash];
        var repository = name[(slash + 1)..];
        var tag = suffix.StartsWith(':') ? suffix[1..].Split('@')[0] : image.Manifest.Digest;
        var scheme = insecure || IsLoopback(host) ? "http" : "https";
        var session = new AuthSession(http, host == "docker.io" ? "registry-1.docker.io" : host, repository, scheme,
            await credentials(host), cancellationToken);

        foreach (var blob in image.Blobs)
        {
            if ((await session.SendAsync(() => new HttpRequestMessage(HttpMethod.Head, session.Url($"blobs/{blob.Digest}")))).IsSuccessStatusCode)
            {
                continue;
            }

            var start = await session.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, session.Url("blobs/uploads/")));
            await Expect(start, HttpStatusCode.Accepted, "POST", reference);
            var location = start.Headers.Location ?? throw new PushException($"failed to push {reference}: the registry gave no upload location");
            var upload = new Uri(session.Url(""), location);
            var put = new UriBuilder(upload) { Query = (upload.Query.Length > 1 ? upload.Query[1..] + "&" : "") + "digest=" + Uri.EscapeDataString(blob.Digest) }.Uri;
            var done = await session.SendAsync(() => new HttpRequestMessage(HttpMethod.Put, put)
            {
                Content = new ByteArrayContent(blob.Data) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
            });
            await Expect(done, HttpStatusCode.Created, "PUT", reference);
        }

        var manifest = await session.SendAsync(() => new HttpRequestMessage(HttpMethod.Put, session.Url($"manifests/{tag}"))
        {
            Content = new ByteArrayContent(image.Manifest.Data) { Headers = { ContentType = new MediaTypeHeaderValue(image.Manifest.MediaType) } },
        });
        await Expect(manifest, HttpStatusCode.Created, "PUT", reference);
    }

    private static bool IsLoopback(string host)
    {
        var name = host.StartsWith('[') ? host[1..host.IndexOf(']')] : host.Split(':')[0];
        return name == "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal) ||
               (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }

    private static async Task Expect(HttpResponseMessage response, HttpStatusCode expected, string method, string reference)
    {
        if (response.StatusCode == expected || (expected != HttpStatusCode.Accepted && response.IsSuccessStatusCode))
        {
            return;
        }

        var body = await response.Content.ReadAsStringAsync();
        throw new PushException(
            $"failed to push {reference}: unexpected status from {method} request to {response.RequestMessage?.RequestUri}: " +
            $"{(int)response.StatusCode} {response.ReasonPhrase}{(body.Length > 0 ? ": " + body.Trim() : "")}");
    }

    /// <summary>Answers one registry's challenges: Basic with the session's credentials, or a bearer token from its realm.</summary>
    private sealed class AuthSession(HttpClient http, string host, string repository, string scheme, RegistryCredentials? credentials,
        CancellationToken cancellationToken)
    {
        private AuthenticationHeaderValue? _authorization;

        public Uri Url(string path) => new($"{scheme}://{host}/v2/{repository}/{path}");

        public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request)
        {
            var response = await SendOnceAsync(request());
            if (response.StatusCode != HttpStatusCode.Unauthorized || _authorization is not null && response.Headers.WwwAuthenticate.Count == 0)
            {
                return response;
            }

            _authorization = await AnswerAsync(response.Headers.WwwAuthenticate.FirstOrDefault());
            return _authorization is null ? response : await SendOnceAsync(request());
        }

        private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request)
        {
            request.Headers.Authorization = _authorization;
            try
            {
                return await http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new PushException($"failed to push to {host}: {e.Message}");
            }
        }

        private async Task<AuthenticationHeaderValue?> AnswerAsync(AuthenticationHeaderValue? challenge)
        {
            var basic = credentials is null ? null
                : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Secret}")));
            if (challenge is null || challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            {
                return basic;
            }

            var parameters = Parameters(challenge.Parameter ?? "");
            if (!parameters.TryGetValue("realm", out var realm))
            {
                return basic;
            }

            var query = new List<string>();
            if (parameters.TryGetValue("service", out var service))
            {
                query.Add("service=" + Uri.EscapeDataString(service));
            }

            query.Add("scope=" + Uri.EscapeDataString($"repository:{repository}:pull,push"));
            using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, realm + (realm.Contains('?') ? "&" : "?") + string.Join('&', query));
            tokenRequest.Headers.Authorization = basic;
            using var tokenResponse = await http.SendAsync(tokenRequest, cancellationToken);
            if (!tokenResponse.IsSuccessStatusCode)
            {
                throw new PushException($"failed to authorize with {realm}: {(int)tokenResponse.StatusCode} {(await tokenResponse.Content.ReadAsStringAsync()).Trim()}");
            }

            using var body = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
            var token = body.RootElement.TryGetProperty("token", out var t) ? t.GetString()
                : body.RootElement.TryGetProperty("access_token", out var a) ? a.GetString() : null;
            return token is null ? basic : new AuthenticationHeaderValue("Bearer", token);
        }

        private static Dictionary<string, string> Parameters(string text)
        {
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, "(\\w+)=\"([^\"]*)\""))
            {
                values[m.Groups[1].Value] = m.Groups[2].Value;
            }

            return values;
        }
    }
}

public sealed class PushException(string message) : Exception(message);
