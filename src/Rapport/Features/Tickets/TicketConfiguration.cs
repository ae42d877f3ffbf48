using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rapport.Features.Tickets;

internal sealed class TicketConfiguration : IEntityTypeConfiguration<Ticket>
{
    public void Configure(EntityTypeBuilder<Ticket> builder)
    {
        builder.Property(t => t.Subject).HasMaxLength(Ticket.SubjectMaxLength);
        builder.Property(t => t.Version).IsConcurrencyToken();
        builder.Ignore(t => t.Number);
        builder.HasIndex(t => new { t.DueAt, t.Id });
        // The deadline watch's "due for a warning" query (SlaWatch.DueForWarning). Only tickets with a running deadline not
        // yet warned about are in it: warned and escalated ones leave, so the query reads about as many entries as it
        // returns however many tickets stay open (a plain WarnAt index made it walk every warned ticket). DueAt is in the
        // key so that entries already past their deadline (when the watch catches up) are skipped without reading the row.
        // The filter repeats the query's condition as EF writes it, null check on DueAt included: SQLite uses a partial
        // index only when the query's WHERE contains the index's terms.
        builder.HasIndex(t => new { t.WarnAt, t.DueAt }, "IX_Tickets_WarnAt_DueAt_Pending")
            .HasFilter("\"WarnAt\" IS NOT NULL AND \"DueAt\" IS NOT NULL AND (\"WarnedFor\" IS NULL OR \"WarnedFor\" <> \"DueAt\" OR \"DueAt\" IS NULL)");
        // Likewise for the escalation query (SlaWatch.DueForEscalation): breached tickets that stay open leave the index,
        // so finding the next missed deadline does not walk every one already escalated.
        builder.HasIndex(t => t.DueAt, "IX_Tickets_DueAt_Unbreached")
            .HasFilter("\"DueAt\" IS NOT NULL AND (\"BreachedFor\" IS NULL OR \"BreachedFor\" <> \"DueAt\" OR \"DueAt\" IS NULL)");
        builder.HasIndex(t => t.AcknowledgementPending).HasFilter("\"AcknowledgementPending\"");
        builder.HasOne(t => t.Customer).WithMany().HasForeignKey(t => t.CustomerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(t => t.Owner).WithMany().HasForeignKey(t => t.OwnerId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(t => t.Tags).WithOne().HasForeignKey(t => t.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(t => t.Messages).WithOne().HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(t => t.Events).WithOne().HasForeignKey(e => e.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(t => t.Tags).UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.Navigation(t => t.Messages).UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.Navigation(t => t.Events).UsePropertyAccessMode(PropertyAccessMode.Field);

        // Keyset paging walks (UpdatedAt, Id) newest first, alone or after one equality filter.
        builder.HasIndex(t => new { t.UpdatedAt, t.Id });
        builder.HasIndex(t => new { t.Status, t.UpdatedAt, t.Id });
        builder.HasIndex(t => new { t.OwnerId, t.UpdatedAt, t.Id });
        builder.HasIndex(t => new { t.CustomerId, t.UpdatedAt, t.Id });
    }
}

internal sealed class TicketTagConfiguration : IEntityTypeConfiguration<TicketTag>
{
    public void Configure(EntityTypeBuilder<TicketTag> builder)
    {
        builder.HasKey(t => new { t.TicketId, t.Name });
        builder.Property(t => t.Name).HasMaxLength(TicketTag.MaxLength);
        builder.HasIndex(t => new { t.Name, t.TicketId });
    }
}

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> builder)
    {
        builder.HasIndex(m => new { m.TicketId, m.Id });
        builder.Property(m => m.InternetMessageId).HasMaxLength(Message.InternetMessageIdMaxLength);
        // Partial: most messages (notes, replies before they are mailed, web and API) have none, and with the NULLs in the
        // index SQLite's statistics call it unselective and scan the table for a list of Message-IDs.
        builder.HasIndex(m => m.InternetMessageId).IsUnique().HasFilter("\"InternetMessageId\" IS NOT NULL");
        builder.Property(m => m.UnansweredAtSend).HasMaxLength(Message.UnansweredMaxLength);
        builder.Property(m => m.MailHtmlSha256).HasMaxLength(Message.MailHtmlSha256Length);
        builder.HasOne(m => m.AuthorAgent).WithMany().HasForeignKey(m => m.AuthorAgentId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne(m => m.AuthorCustomer).WithMany().HasForeignKey(m => m.AuthorCustomerId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(m => m.Attachments).WithOne().HasForeignKey(a => a.MessageId).OnDelete(DeleteBehavior.SetNull);
        builder.Navigation(m => m.Attachments).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class TicketEventConfiguration : IEntityTypeConfiguration<TicketEvent>
{
    public void Configure(EntityTypeBuilder<TicketEvent> builder)
    {
        builder.Property(e => e.Detail).HasMaxLength(TicketEvent.DetailMaxLength);
        builder.HasIndex(e => new { e.TicketId, e.Id });
    }
}
