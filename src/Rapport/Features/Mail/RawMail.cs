using System.Buffers;
using System.IO.Compression;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rapport.Features.Mail;

/// <summary>An inbound message's bytes exactly as received, keyed by their SHA-256 (so the same bytes are kept once).
/// Written in the transaction that writes the message's ledger line: a message is taken with its raw MIME or not at
/// all (docs/decisions/0039-raw-inbound-mail-in-the-database.md). <see cref="Content"/> is compressed as
/// <see cref="Compression"/> says (docs/decisions/0043-raw-mail-compressed.md); <see cref="Length"/> is the raw length.</summary>
public sealed class RawMail
{
    private RawMail() { }

    public string Sha256 { get; private set; } = "";
    public long Length { get; private set; }
    public byte[] Content { get; private set; } = [];
    public RawMailCompression Compression { get; private set; }

    /// <summary>Below this a message is kept as it is: too little to gain.</summary>
    public const int CompressFrom = 1024;

    /// <summary>Brotli at quality 1: ~500 MB/s on one core and a quarter of the size of typical mail (quality 3 saves
    /// another 5% at half the speed). Kept as it is when compression saves less than a tenth (mostly attachments
    /// already compressed).</summary>
    public static (byte[] Content, RawMailCompression Compression) Pack(byte[] raw)
    {
        if (raw.Length < CompressFrom)
        {
            return (raw, RawMailCompression.None);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(raw.Length));
        try
        {
            return BrotliEncoder.TryCompress(raw, buffer, out var written, quality: 1, window: 22) && written < raw.Length - raw.Length / 10
                ? (buffer[..written], RawMailCompression.Brotli)
                : (raw, RawMailCompression.None);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The bytes as received. Throws <see cref="InvalidDataException"/> when the stored content does not
    /// decompress to <paramref name="length"/> bytes.</summary>
    public static byte[] Unpack(byte[] content, long length, RawMailCompression compression)
    {
        if (compression == RawMailCompression.None)
        {
            return content;
        }
        var raw = new byte[length];
        if (compression != RawMailCompression.Brotli || !BrotliDecoder.TryDecompress(content, raw, out var written) || written != length)
        {
            throw new InvalidDataException($"Stored raw mail ({compression}) does not decompress to its {length} bytes.");
        }
        return raw;
    }
}

/// <summary>How <see cref="RawMail.Content"/> is stored; rows from before compression have <c>None</c>.</summary>
public enum RawMailCompression
{
    None,
    Brotli,
}

internal sealed class RawMailConfiguration : IEntityTypeConfiguration<RawMail>
{
    public void Configure(EntityTypeBuilder<RawMail> builder)
    {
        builder.ToTable("RawMail");
        builder.HasKey(r => r.Sha256);
        builder.Property(r => r.Sha256).HasMaxLength(64);
    }
}
