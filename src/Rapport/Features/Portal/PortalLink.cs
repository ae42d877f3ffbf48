using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rapport.Features.Customers;
using Rapport.Features.Tickets;

namespace Rapport.Features.Portal;

/// <summary>A magic link into the customer portal: a random secret of which only a SHA-256 is stored, for one customer,
/// optionally limited to one ticket (the link on the contact form's confirmation page), expiring and revocable.</summary>
public sealed class PortalLink
{
    private PortalLink() { }

    public long Id { get; private set; }
    public byte[] SecretHash { get; private set; } = [];
    public long CustomerId { get; private set; }
    public Customer Customer { get; private set; } = null!;
    /// <summary>When set, the link shows only this ticket.</summary>
    public long? TicketId { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime ExpiresAt { get; private set; }
    public DateTime? RevokedAt { get; private set; }
    public DateTime? LastUsedAt { get; private set; }

    public static (PortalLink Link, string Secret) Create(long customerId, long? ticketId, DateTime now, TimeSpan lifetime)
    {
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var link = new PortalLink
        {
            SecretHash = Hash(secret),
            CustomerId = customerId,
            TicketId = ticketId,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        };
        return (link, secret);
    }

    public static byte[] Hash(string secret) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));

    public bool IsUsable(DateTime now) => RevokedAt is null && now < ExpiresAt;

    public void Revoke(DateTime now) => RevokedAt ??= now;

    public void MarkUsed(DateTime now) => LastUsedAt = now;

    /// <summary>Whether someone holding this link may see the ticket.</summary>
    public bool Covers(Ticket ticket) => ticket.CustomerId == CustomerId && (TicketId is null || TicketId == ticket.Id);
}

internal sealed class PortalLinkConfiguration : IEntityTypeConfiguration<PortalLink>
{
    public void Configure(EntityTypeBuilder<PortalLink> builder)
    {
        builder.Property(l => l.SecretHash).HasMaxLength(32);
        builder.HasIndex(l => l.SecretHash).IsUnique();
        builder.HasIndex(l => l.CustomerId);
        builder.HasOne(l => l.Customer).WithMany().HasForeignKey(l => l.CustomerId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(l => l.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}
