namespace Rapport.Features.Attachments;

/// <summary>A file's metadata. The bytes live in the content-addressed <see cref="FileStore"/> under the data
/// directory, keyed by their SHA-256, so the same file uploaded twice is stored once.</summary>
public sealed class Attachment
{
    public const int FileNameMaxLength = 255;
    public const int ContentTypeMaxLength = 150;

    private Attachment() { }

    public long Id { get; private set; }
    public long? MessageId { get; private set; }
    public string FileName { get; private set; } = "";
    public string ContentType { get; private set; } = "";
    public long Length { get; private set; }
    /// <summary>Lower-case hex SHA-256 of the bytes: the key in the file store.</summary>
    public string Sha256 { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
    public int? UploadedByAgentId { get; private set; }

    public static Attachment Create(string fileName, string contentType, StoredFile file, int? agentId, DateTime now) => new()
    {
        FileName = fileName,
        ContentType = contentType,
        Length = file.Length,
        Sha256 = file.Sha256,
        CreatedAt = now,
        UploadedByAgentId = agentId,
    };
}
