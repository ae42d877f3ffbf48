using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Attachments;
using Rapport.Features.Customers;
using Rapport.Features.Jobs;
using Rapport.Features.Mail;
using Rapport.Features.Search;
using Rapport.Features.Notifications;
using Rapport.Features.Portal;
using Rapport.Features.Promises;
using Rapport.Features.SavedReplies;
using Rapport.Features.Settings;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Data;

/// <summary>The one database context. Each provider has a thin subclass that owns its migrations
/// (SqliteRapportDb, PostgresRapportDb); everything else uses this type.</summary>
public abstract class RapportDb(DbContextOptions options) : IdentityDbContext<Agent, IdentityRole<int>, int>(options), IDataProtectionKeyContext
{
    public DbSet<Ticket> Tickets => Set<Ticket>();
    public DbSet<TicketTag> TicketTags => Set<TicketTag>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<TicketEvent> TicketEvents => Set<TicketEvent>();
    public DbSet<ConsumerPosition> ConsumerPositions => Set<ConsumerPosition>();
    public DbSet<SearchEntry> SearchEntries => Set<SearchEntry>();
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<CustomerEmail> CustomerEmails => Set<CustomerEmail>();
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<Attachment> Attachments => Set<Attachment>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<BusinessProfile> BusinessProfiles => Set<BusinessProfile>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<Mailbox> Mailboxes => Set<Mailbox>();
    public DbSet<InboundMail> InboundMail => Set<InboundMail>();
    public DbSet<RawMail> RawMail => Set<RawMail>();
    public DbSet<MailboxSync> MailboxSyncs => Set<MailboxSync>();
    public DbSet<OutboundMail> OutboundMail => Set<OutboundMail>();
    public DbSet<SavedReply> SavedReplies => Set<SavedReply>();
    public DbSet<PortalLink> PortalLinks => Set<PortalLink>();
    public DbSet<SavedView> SavedViews => Set<SavedView>();
    public DbSet<SlaPolicy> SlaPolicies => Set<SlaPolicy>();
    public DbSet<OpeningHours> OpeningHours => Set<OpeningHours>();
    public DbSet<Holiday> Holidays => Set<Holiday>();
    public DbSet<Promise> Promises => Set<Promise>();
    public DbSet<AgentNotification> Notifications => Set<AgentNotification>();

    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<Partner> Partners => Set<Partner>();
    public DbSet<WarrantyClaim> WarrantyClaims => Set<WarrantyClaim>();

    /// <summary>ASP.NET Core Data Protection's keys, shared by every node (Infrastructure/DataProtectionSetup).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(RapportDb).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every instant is UTC; values read back are marked so (SQLite stores text without a kind).
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    private sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : DateTime.SpecifyKind(v.ToUniversalTime(), DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

public sealed class SqliteRapportDb(DbContextOptions<SqliteRapportDb> options) : RapportDb(options);

public sealed class PostgresRapportDb(DbContextOptions<PostgresRapportDb> options) : RapportDb(options);
