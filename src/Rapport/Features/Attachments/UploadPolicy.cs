using Microsoft.Net.Http.Headers;

namespace Rapport.Features.Attachments;

/// <summary>Decides whether an upload is acceptable: a well-formed content type, not an executable or script,
/// and for the types browsers render (images, PDF) bytes that really are of that type.</summary>
public static class UploadPolicy
{
    private static readonly HashSet<string> BlockedExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".exe", ".com", ".bat", ".cmd", ".scr", ".pif", ".msi", ".msp", ".dll", ".cpl", ".jar", ".js", ".jse",
        ".vbs", ".vbe", ".wsf", ".wsh", ".ps1", ".psm1", ".hta", ".lnk", ".reg", ".sh", ".app", ".apk",
    };

    private static readonly HashSet<string> BlockedTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/x-msdownload", "application/x-msdos-program", "application/x-dosexec", "application/x-executable",
        "application/x-sh", "application/x-bat", "application/javascript", "text/javascript", "application/java-archive",
        "application/x-ms-installer", "application/hta", "application/vnd.microsoft.portable-executable",
    };

    private static readonly (string Type, byte[] Magic)[] Signatures =
    [
        ("image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        ("image/jpeg", [0xFF, 0xD8, 0xFF]),
        ("image/gif", "GIF8"u8.ToArray()),
        ("image/webp", "RIFF"u8.ToArray()),
        ("image/bmp", "BM"u8.ToArray()),
        ("application/pdf", "%PDF-"u8.ToArray()),
    ];

    /// <returns>The normalized content type, or an error message.</returns>
    public static (string? ContentType, string? Error) Check(string fileName, string? declaredType, ReadOnlySpan<byte> head)
    {
        if (string.IsNullOrWhiteSpace(fileName) || fileName.Length > Attachment.FileNameMaxLength)
        {
            return (null, $"A file name of 1 to {Attachment.FileNameMaxLength} characters is required.");
        }
        if (BlockedExtensions.Contains(Path.GetExtension(fileName)))
        {
            return (null, $"Files of type {Path.GetExtension(fileName)} are not accepted: they can run code on the reader's computer. Put them in a zip file if you must send them.");
        }
        if (!MediaTypeHeaderValue.TryParse(declaredType ?? "application/octet-stream", out var parsed) || parsed.SubTypeWithoutSuffix.Length == 0)
        {
            return (null, $"'{declaredType}' is not a content type (for example image/png).");
        }
        var mediaType = parsed.MediaType.ToString().ToLowerInvariant();
        if (mediaType.Length > Attachment.ContentTypeMaxLength)
        {
            return (null, "The content type is too long.");
        }
        if (BlockedTypes.Contains(mediaType))
        {
            return (null, $"Files of type {mediaType} are not accepted: they can run code on the reader's computer.");
        }
        if (mediaType == "image/svg+xml")
        {
            return (null, "SVG images can carry scripts and are not accepted; send a PNG or JPEG instead.");
        }
        foreach (var (type, magic) in Signatures)
        {
            if (type == mediaType && !head.StartsWith(magic))
            {
                return (null, $"The file says it is {mediaType}, but its contents are not.");
            }
        }
        return (mediaType, null);
    }

    /// <summary>Browsers may show these inline; everything else downloads.</summary>
    public static bool IsSafeInline(string contentType) =>
        contentType is "image/png" or "image/jpeg" or "image/gif" or "image/webp" or "application/pdf" or "text/plain";
}
