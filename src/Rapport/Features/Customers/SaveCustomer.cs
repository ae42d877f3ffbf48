using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Features.Customers;

/// <summary>Creates a customer or changes one: name, addresses, phone, organisation (by name), owner, notes. Write access needed.</summary>
public sealed class SaveCustomer(IDbContextFactory<RapportDb> contexts, AgentAccess access, TimeProvider time)
{
    public sealed record Request
    {
        [StringLength(Customer.NameMaxLength)]
        public string? Name { get; init; }

        /// <summary>All the customer's addresses, primary first. On update, replaces the list.</summary>
        [MaxLength(20)]
        public IReadOnlyList<string>? Emails { get; init; }

        [StringLength(Customer.PhoneMaxLength)]
        public string? Phone { get; init; }

        /// <summary>The organisation's name; created if new; "" removes it.</summary>
        [StringLength(Customers.Organization.NameMaxLength)]
        public string? Organization { get; init; }

        /// <summary>The customer's point of contact.</summary>
        public int? OwnerId { get; init; }

        /// <summary>Remove the owner (ownerId must then be absent).</summary>
        public bool RemoveOwner { get; init; }

        [StringLength(Customer.NotesMaxLength)]
        public string? Notes { get; init; }

        /// <summary>The customer's IANA time zone (e.g. America/New_York); "" forgets it.</summary>
        [StringLength(64)]
        public string? TimeZone { get; init; }
    }

    public enum Outcome { Saved, NotFound, Invalid, EmailTaken }

    public sealed record Result(Outcome Outcome, long CustomerId = 0, Dictionary<string, string[]>? Errors = null, long? OtherCustomerId = null);

    public async Task<Result> CreateAsync(Request request, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Write, ct);
        if (request.Emails is not { Count: > 0 })
        {
            return Invalid("emails", "A customer needs at least one email address.");
        }
        return await SaveAsync(null, request, ct);
    }

    public async Task<Result> UpdateAsync(long id, Request request, Actor actor, CancellationToken ct)
    {
        await access.RequireAsync(actor, Access.Write, ct);
        return await SaveAsync(id, request, ct);
    }

    private async Task<Result> SaveAsync(long? id, Request request, CancellationToken ct)
    {
        var invalidEmail = request.Emails?.FirstOrDefault(e => !CustomerEmail.IsValid(e));
        if (invalidEmail is not null)
        {
            return Invalid("emails", $"'{invalidEmail}' is not an email address.");
        }
        if (request.OwnerId is not null && request.RemoveOwner)
        {
            return Invalid("ownerId", "Send either ownerId or removeOwner, not both.");
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (request.OwnerId is { } ownerId && !await UpdateTicket.CanOwnTicketsAsync(db, ownerId, ct))
        {
            return Invalid("ownerId", $"Agent {ownerId} does not exist, is deactivated or is read-only, so cannot own customers.");
        }
        if (!string.IsNullOrWhiteSpace(request.TimeZone) && !Settings.BusinessProfile.IsKnownTimeZone(request.TimeZone.Trim()))
        {
            return Invalid("timeZone", $"'{request.TimeZone}' is not an IANA time zone (for example America/New_York).");
        }
        var now = time.GetUtcNow().UtcDateTime;
        var emails = request.Emails?.Select(CustomerEmail.Normalize).Distinct().ToList();
        if (emails is { Count: > 0 })
        {
            var taken = await db.CustomerEmails.AsNoTracking()
                .Where(e => emails.Contains(e.Address) && e.CustomerId != (id ?? 0))
                .Select(e => new { e.Address, e.CustomerId }).FirstOrDefaultAsync(ct);
            if (taken is not null)
            {
                return new Result(Outcome.EmailTaken, Errors: new() { ["emails"] = [$"{taken.Address} belongs to customer {taken.CustomerId}. Merge the two customers instead."] },
                    OtherCustomerId: taken.CustomerId);
            }
        }

        Customer customer;
        if (id is null)
        {
            customer = Customer.Create(request.Name ?? "", emails!, now);
            db.Customers.Add(customer);
        }
        else
        {
            var found = await db.Customers.Include(c => c.Emails).FirstOrDefaultAsync(c => c.Id == id && c.MergedIntoId == null, ct);
            if (found is null)
            {
                return new Result(Outcome.NotFound);
            }
            customer = found;
            if (request.Name is not null)
            {
                customer.Rename(request.Name, now);
            }
            if (emails is not null)
            {
                customer.SetEmails(emails, now);
            }
        }
        if (request.Phone is not null)
        {
            customer.SetPhone(request.Phone, now);
        }
        if (request.TimeZone is not null)
        {
            customer.SetTimeZone(request.TimeZone, now);
        }
        if (request.Notes is not null)
        {
            customer.SetNotes(request.Notes, now);
        }
        if (request.OwnerId is not null || request.RemoveOwner)
        {
            customer.SetOwner(request.OwnerId, now);
        }
        if (request.Organization is not null)
        {
            var name = request.Organization.Trim();
            var organization = name.Length == 0 ? null
                : await db.Organizations.FirstOrDefaultAsync(o => o.Name == name, ct) ?? db.Organizations.Add(new Organization(name, now)).Entity;
            customer.SetOrganization(organization, now);
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return new Result(Outcome.EmailTaken, Errors: new() { ["emails"] = ["One of these addresses was just given to another customer."] });
        }
        return new Result(Outcome.Saved, customer.Id);
    }

    private static Result Invalid(string field, string message) => new(Outcome.Invalid, Errors: new() { [field] = [message] });
}
