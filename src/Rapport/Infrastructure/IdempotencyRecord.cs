using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rapport.Features.Tickets;

namespace Rapport.Infrastructure;

/// <summary>Remembers which ticket a create with an Idempotency-Key made, so a retry returns that ticket.
/// Keys are scoped per caller (token or agent) and written in the same transaction as the ticket.</summary>
public sealed class IdempotencyRecord
{
    public const int KeyMaxLength = 200;

    private IdempotencyRecord() { }

    public IdempotencyRecord(string scope, string key, byte[] requestHash, Ticket ticket, DateTime now)
    {
        Scope = scope;
        Key = key;
        RequestHash = requestHash;
        Ticket = ticket;
        CreatedAt = now;
    }

    public string Scope { get; private set; } = "";
    public string Key { get; private set; } = "";
    public byte[] RequestHash { get; private set; } = [];
    public long TicketId { get; private set; }
    public Ticket Ticket { get; private set; } = null!;
    public DateTime CreatedAt { get; private set; }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.HasKey(r => new { r.Scope, r.Key });
        builder.Property(r => r.Scope).HasMaxLength(40);
        builder.Property(r => r.Key).HasMaxLength(KeyMaxLengthColumn);
        builder.Property(r => r.RequestHash).HasMaxLength(32);
        builder.HasOne(r => r.Ticket).WithMany().HasForeignKey(r => r.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => r.CreatedAt);
        builder.HasIndex(r => r.TicketId);
    }

    private const int KeyMaxLengthColumn = IdempotencyRecord.KeyMaxLength;
}
