namespace Depot.Emulator.Domain.Registry;

/// <summary>One row of the OCI error catalogue: the code clients match on, its HTTP status and its fixed message.</summary>
public sealed record RegistryErrorCode(string Code, int Status, string Message);

/// <summary>
/// The OCI distribution error codes, declared once. Handlers throw <see cref="RegistryException"/> with one of
/// these and a detail; a single writer puts <c>{"errors":[…]}</c> on the wire.
/// </summary>
public static class RegistryErrors
{
    public static readonly RegistryErrorCode BlobUnknown = new("BLOB_UNKNOWN", 404, "blob unknown to registry");
    public static readonly RegistryErrorCode BlobUploadInvalid = new("BLOB_UPLOAD_INVALID", 400, "blob upload invalid");
    public static readonly RegistryErrorCode BlobUploadOutOfOrder = new("BLOB_UPLOAD_INVALID", 416, "chunk out of order: the upload is at another offset");
    public static readonly RegistryErrorCode BlobUploadUnknown = new("BLOB_UPLOAD_UNKNOWN", 404, "blob upload unknown to registry");
    public static readonly RegistryErrorCode DigestInvalid = new("DIGEST_INVALID", 400, "provided digest did not match uploaded content");
    public static readonly RegistryErrorCode ManifestBlobUnknown = new("MANIFEST_BLOB_UNKNOWN", 400, "manifest references a manifest or blob unknown to registry");
    public static readonly RegistryErrorCode ManifestInvalid = new("MANIFEST_INVALID", 400, "manifest invalid");
    public static readonly RegistryErrorCode ManifestTooLarge = new("SIZE_INVALID", 413, "manifest is larger than the registry accepts");
    public static readonly RegistryErrorCode ManifestUnknown = new("MANIFEST_UNKNOWN", 404, "manifest unknown to registry");
    public static readonly RegistryErrorCode NameInvalid = new("NAME_INVALID", 400, "invalid repository name");
    public static readonly RegistryErrorCode NameUnknown = new("NAME_UNKNOWN", 404, "repository name not known to registry");
    public static readonly RegistryErrorCode PaginationNumberInvalid = new("PAGINATION_NUMBER_INVALID", 400, "invalid number of results requested");
    public static readonly RegistryErrorCode SizeInvalid = new("SIZE_INVALID", 400, "provided length did not match content length");
    public static readonly RegistryErrorCode Unauthorized = new("UNAUTHORIZED", 401, "authentication required");
    public static readonly RegistryErrorCode Denied = new("DENIED", 403, "requested access to the resource is denied");
    public static readonly RegistryErrorCode Unsupported = new("UNSUPPORTED", 405, "the operation is unsupported");
    public static readonly RegistryErrorCode TooManyRequests = new("TOOMANYREQUESTS", 429, "too many requests");
    public static readonly RegistryErrorCode TooLarge = new("SIZE_INVALID", 413, "the request is larger than the registry accepts");
    public static readonly RegistryErrorCode Unavailable = new("UNAVAILABLE", 503, "service unavailable");
    public static readonly RegistryErrorCode Unknown = new("UNKNOWN", 500, "unknown error");

    public static readonly IReadOnlyList<RegistryErrorCode> All =
    [
        BlobUnknown, BlobUploadInvalid, BlobUploadOutOfOrder, BlobUploadUnknown, DigestInvalid, ManifestBlobUnknown,
        ManifestInvalid, ManifestTooLarge, ManifestUnknown, NameInvalid, NameUnknown, PaginationNumberInvalid, SizeInvalid, Unauthorized, Denied,
        Unsupported, TooManyRequests, TooLarge, Unavailable, Unknown,
    ];
}

/// <summary>A registry failure: a catalogue row and what exactly went wrong.</summary>
public sealed class RegistryException(RegistryErrorCode error, string? detail = null)
    : Exception(detail is null ? error.Message : $"{error.Message}: {detail}")
{
    public RegistryErrorCode Error { get; } = error;

    public string? Detail { get; } = detail;
}
