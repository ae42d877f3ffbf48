using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rapport.Features.Mail;

/// <summary>An inbound message's bytes exactly as received, keyed by their SHA-256 (so the same bytes are kept once).
/// Written in the transaction that writes the message's ledger line: a message is taken with its raw MIME or not at
/// all (docs/decisions/0039-raw-inbound-mail-in-the-database.md).</summary>
public sealed class RawMail
{
    private RawMail() { }

    public string Sha256 { get; private set; } = "";
    public long Length { get; private set; }
    public byte[] Content { get; private set; } = [];
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
