using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rapport.Features.Tickets;

namespace Rapport.Features.Search;

/// <summary>One message in the search index: which ticket it belongs to, whether only agents may find it (an internal
/// note) and when it was written. Its words live beside it, in a table each database keeps its own way (SQLite: the
/// FTS5 table <c>SearchText</c> whose rowid is <see cref="MessageId"/>; PostgreSQL: the <c>Document</c> tsvector column
/// of this table with a GIN index), written by <see cref="SearchIndex"/> only; both are made by hand in the migrations.</summary>
public sealed class SearchEntry
{
    public long MessageId { get; init; }
    public long TicketId { get; init; }
    public bool Internal { get; init; }
    public DateTime At { get; init; }
}

internal sealed class SearchEntryConfiguration : IEntityTypeConfiguration<SearchEntry>
{
    public void Configure(EntityTypeBuilder<SearchEntry> builder)
    {
        builder.HasKey(e => e.MessageId);
        builder.Property(e => e.MessageId).ValueGeneratedNever();
        builder.HasOne<Message>().WithOne().HasForeignKey<SearchEntry>(e => e.MessageId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(e => e.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => e.TicketId);
    }
}
