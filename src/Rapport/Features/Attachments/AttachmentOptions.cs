using System.ComponentModel.DataAnnotations;

namespace Rapport.Features.Attachments;

/// <summary>Section "Attachments".</summary>
public sealed class AttachmentOptions
{
    public const string Section = "Attachments";

    /// <summary>Largest accepted file, in bytes (default 25 MiB, what most mail servers accept).</summary>
    [Range(1, 1L << 32)]
    public long MaxSize { get; set; } = 25L * 1024 * 1024;
}
