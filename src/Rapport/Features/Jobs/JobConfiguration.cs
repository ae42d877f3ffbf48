using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Rapport.Features.Agents;
using Rapport.Features.Customers;
using Rapport.Features.Tickets;

namespace Rapport.Features.Jobs;

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> builder)
    {
        builder.HasIndex(j => j.TicketId).IsUnique();
        builder.HasIndex(j => new { j.CustomerId, j.Status });
        builder.Property(j => j.Version).IsConcurrencyToken();
        builder.Property(j => j.DeclineReason).HasMaxLength(Job.ReasonMaxLength);
        builder.HasOne<Ticket>().WithMany().HasForeignKey(j => j.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Customer>().WithMany().HasForeignKey(j => j.CustomerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Agent>().WithMany().HasForeignKey(j => j.OwnerId).OnDelete(DeleteBehavior.SetNull);
        builder.HasOne<Partner>().WithMany().HasForeignKey(j => j.ReferredPartnerId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(j => j.Requirements).WithOne().HasForeignKey(r => r.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(j => j.Quotes).WithOne().HasForeignKey(q => q.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(j => j.ChangeOrders).WithOne().HasForeignKey(c => c.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(j => j.Invoices).WithOne().HasForeignKey(i => i.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(j => j.Overruns).WithOne().HasForeignKey(o => o.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(j => j.Commitments).WithOne().HasForeignKey(c => c.JobId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(j => j.WarrantyClaims).WithOne().HasForeignKey(c => c.JobId).OnDelete(DeleteBehavior.Cascade);
        foreach (var navigation in new[] { nameof(Job.Requirements), nameof(Job.Quotes), nameof(Job.ChangeOrders), nameof(Job.Invoices),
            nameof(Job.Overruns), nameof(Job.Commitments), nameof(Job.WarrantyClaims) })
        {
            builder.Navigation(navigation).UsePropertyAccessMode(PropertyAccessMode.Field);
        }
        builder.Ignore(j => j.ApprovedQuote);
        builder.Ignore(j => j.Currency);
        builder.Ignore(j => j.AcceptedTotal);
        builder.Ignore(j => j.InvoicedTotal);
        builder.Ignore(j => j.AbsorbedTotal);
    }

    /// <summary>Line items are owned rows of their quote, change order or invoice; amounts keep four decimals
    /// (unit prices may be finer than the minor unit), tax rates six.</summary>
    internal static void ConfigureLines<TOwner>(OwnedNavigationBuilder<TOwner, LineItem> lines) where TOwner : class
    {
        lines.Property<int>("Id");
        lines.HasKey("Id");
        lines.Property(l => l.Description).HasMaxLength(LineItem.DescriptionMaxLength);
        lines.Property(l => l.Quantity).HasPrecision(18, 4);
        lines.Property(l => l.UnitPrice).HasPrecision(18, 4);
        lines.Property(l => l.TaxRate).HasPrecision(9, 6);
        lines.Property(l => l.Net).HasPrecision(18, 4);
        lines.Property(l => l.Tax).HasPrecision(18, 4);
        lines.Property(l => l.OverrideReason).HasMaxLength(Job.ReasonMaxLength);
        lines.Ignore(l => l.Total);
    }
}

internal sealed class RequirementConfiguration : IEntityTypeConfiguration<Requirement>
{
    public void Configure(EntityTypeBuilder<Requirement> builder)
    {
        builder.ToTable("Requirements");
        builder.Property(r => r.Text).HasMaxLength(Requirement.TextMaxLength);
        builder.HasOne<Message>().WithMany().HasForeignKey(r => r.MessageId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class QuoteConfiguration : IEntityTypeConfiguration<Quote>
{
    public void Configure(EntityTypeBuilder<Quote> builder)
    {
        builder.ToTable("Quotes");
        builder.HasIndex(q => new { q.JobId, q.Number }).IsUnique();
        builder.Property(q => q.Currency).HasMaxLength(Money.CurrencyLength);
        builder.Property(q => q.Terms).HasMaxLength(Quote.TermsMaxLength);
        builder.Property(q => q.DecidedBy).HasMaxLength(Quote.NameMaxLength);
        builder.Property(q => q.DeclineReason).HasMaxLength(Job.ReasonMaxLength);
        builder.Property(q => q.RequirementIdList).HasMaxLength(2000);
        builder.Ignore(q => q.Totals);
        builder.Ignore(q => q.RequirementIds);
        builder.OwnsMany(q => q.Lines, lines =>
        {
            lines.ToTable("QuoteLines");
            JobConfiguration.ConfigureLines(lines);
        });
        builder.Navigation(q => q.Lines).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class ChangeOrderConfiguration : IEntityTypeConfiguration<ChangeOrder>
{
    public void Configure(EntityTypeBuilder<ChangeOrder> builder)
    {
        builder.ToTable("ChangeOrders");
        builder.HasIndex(c => new { c.JobId, c.Number }).IsUnique();
        builder.Property(c => c.Currency).HasMaxLength(Money.CurrencyLength);
        builder.Property(c => c.Reason).HasMaxLength(Job.ReasonMaxLength);
        builder.Property(c => c.DecidedBy).HasMaxLength(Quote.NameMaxLength);
        builder.Property(c => c.DeclineReason).HasMaxLength(Job.ReasonMaxLength);
        builder.HasOne<Quote>().WithMany().HasForeignKey(c => c.QuoteId).OnDelete(DeleteBehavior.Restrict);
        builder.Ignore(c => c.PriceDifference);
        builder.OwnsMany(c => c.Lines, lines =>
        {
            lines.ToTable("ChangeOrderLines");
            JobConfiguration.ConfigureLines(lines);
        });
        builder.Navigation(c => c.Lines).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class InvoiceConfiguration : IEntityTypeConfiguration<Invoice>
{
    public void Configure(EntityTypeBuilder<Invoice> builder)
    {
        builder.ToTable("Invoices");
        builder.HasIndex(i => new { i.JobId, i.Number }).IsUnique();
        builder.Property(i => i.Currency).HasMaxLength(Money.CurrencyLength);
        builder.Property(i => i.Total).HasPrecision(18, 4);
        builder.HasOne<Agent>().WithMany().HasForeignKey(i => i.CreatedById).OnDelete(DeleteBehavior.SetNull);
        builder.OwnsMany(i => i.Lines, lines =>
        {
            lines.ToTable("InvoiceLines");
            JobConfiguration.ConfigureLines(lines);
        });
        builder.Navigation(i => i.Lines).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class AbsorbedOverrunConfiguration : IEntityTypeConfiguration<AbsorbedOverrun>
{
    public void Configure(EntityTypeBuilder<AbsorbedOverrun> builder)
    {
        builder.ToTable("AbsorbedOverruns");
        builder.Property(o => o.Amount).HasPrecision(18, 4);
        builder.Property(o => o.Currency).HasMaxLength(Money.CurrencyLength);
        builder.Property(o => o.Reason).HasMaxLength(Job.ReasonMaxLength);
        builder.HasOne<Agent>().WithMany().HasForeignKey(o => o.RecordedById).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class JobCommitmentConfiguration : IEntityTypeConfiguration<JobCommitment>
{
    public void Configure(EntityTypeBuilder<JobCommitment> builder)
    {
        builder.ToTable("JobCommitments");
        builder.Property(c => c.Source).HasMaxLength(100);
        builder.HasOne(c => c.Promise).WithMany().HasForeignKey(c => c.PromiseId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class WarrantyClaimConfiguration : IEntityTypeConfiguration<WarrantyClaim>
{
    public void Configure(EntityTypeBuilder<WarrantyClaim> builder)
    {
        // A ticket is the warranty claim of one job at most.
        builder.HasIndex(c => c.TicketId).IsUnique();
        builder.HasOne<Ticket>().WithMany().HasForeignKey(c => c.TicketId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Agent>().WithMany().HasForeignKey(c => c.LinkedById).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class PartnerConfiguration : IEntityTypeConfiguration<Partner>
{
    public void Configure(EntityTypeBuilder<Partner> builder)
    {
        builder.Property(p => p.Name).HasMaxLength(Partner.NameMaxLength);
        builder.Property(p => p.Email).HasMaxLength(Partner.ContactMaxLength);
        builder.Property(p => p.Website).HasMaxLength(Partner.ContactMaxLength);
        builder.Property(p => p.Phone).HasMaxLength(Partner.ContactMaxLength);
        builder.Property(p => p.Services).HasMaxLength(Partner.ServicesMaxLength);
        builder.Ignore(p => p.Contact);
    }
}
