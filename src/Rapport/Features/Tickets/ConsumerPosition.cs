using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Rapport.Features.Tickets;

/// <summary>How far a consumer of the change record has read (<see cref="FeedConsumer{TWork}"/>): moved in the transaction
/// that writes what the consumer did, so a crash loses nothing and repeats nothing.</summary>
public sealed class ConsumerPosition
{
    public const int NameMaxLength = 64;

    private ConsumerPosition() { }

    public string Name { get; private set; } = "";
    public long Tx { get; private set; }
    public long EventId { get; private set; }

    internal static ConsumerPosition Create(string name, FeedPosition at) => new() { Name = name, Tx = at.Tx, EventId = at.EventId };
}

internal sealed class ConsumerPositionConfiguration : IEntityTypeConfiguration<ConsumerPosition>
{
    public void Configure(EntityTypeBuilder<ConsumerPosition> builder)
    {
        builder.HasKey(p => p.Name);
        builder.Property(p => p.Name).HasMaxLength(ConsumerPosition.NameMaxLength);
    }
}
