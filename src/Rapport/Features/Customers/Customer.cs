using Rapport.Features.Agents;
using Rapport.Features.Tickets;

namespace Rapport.Features.Customers;

/// <summary>A person the business serves. One customer may write from several addresses.</summary>
public sealed class Customer
{
    public const int NameMaxLength = 200;
    public const int PhoneMaxLength = 50;
    public const int NotesMaxLength = 10_000;

    private readonly List<CustomerEmail> _emails = [];

    private Customer() { }

    public long Id { get; private set; }
    public string Name { get; private set; } = "";
    public string? Phone { get; private set; }
    public long? OrganizationId { get; private set; }
    public Organization? Organization { get; private set; }
    /// <summary>The customer's one point of contact; their new tickets go to this agent.</summary>
    public int? OwnerId { get; private set; }
    public Agent? Owner { get; private set; }
    public string? Notes { get; private set; }
    /// <summary>The customer's IANA time zone when known: acknowledgements and promises are written on their clock.</summary>
    public string? TimeZone { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime UpdatedAt { get; private set; }
    /// <summary>Set when this customer was merged into another; it then only forwards to that one.</summary>
    public long? MergedIntoId { get; private set; }

    public IReadOnlyCollection<CustomerEmail> Emails => _emails;

    public string? PrimaryEmail => _emails.FirstOrDefault(e => e.IsPrimary)?.Address ?? _emails.FirstOrDefault()?.Address;

    public static Customer Create(string name, IEnumerable<string> emails, DateTime now)
    {
        var customer = new Customer { CreatedAt = now, UpdatedAt = now };
        var addresses = emails.Select(CustomerEmail.Normalize).Distinct().ToList();
        if (addresses.Count == 0)
        {
            throw new CustomerRuleException("email-required", "A customer needs at least one email address.");
        }
        customer.Rename(string.IsNullOrWhiteSpace(name) ? NameFromAddress(addresses[0]) : name, now);
        foreach (var address in addresses)
        {
            customer._emails.Add(new CustomerEmail(address, isPrimary: customer._emails.Count == 0));
        }
        return customer;
    }

    public void Rename(string name, DateTime now)
    {
        var trimmed = (name ?? "").Trim();
        if (trimmed.Length == 0)
        {
            throw new CustomerRuleException("name-required", "A customer needs a name.");
        }
        Name = trimmed.Length > NameMaxLength ? trimmed[..NameMaxLength] : trimmed;
        UpdatedAt = now;
    }

    public void SetPhone(string? phone, DateTime now)
    {
        Phone = string.IsNullOrWhiteSpace(phone) ? null : phone.Trim();
        UpdatedAt = now;
    }

    public void SetNotes(string? notes, DateTime now)
    {
        Notes = string.IsNullOrWhiteSpace(notes) ? null : notes.Trim();
        UpdatedAt = now;
    }

    public void SetOrganization(Organization? organization, DateTime now)
    {
        Organization = organization;
        OrganizationId = organization?.Id;
        UpdatedAt = now;
    }

    public void SetTimeZone(string? timeZone, DateTime now)
    {
        var zone = string.IsNullOrWhiteSpace(timeZone) ? null : timeZone.Trim();
        if (zone is not null && !Settings.BusinessProfile.IsKnownTimeZone(zone))
        {
            throw new CustomerRuleException("time-zone-unknown", $"'{zone}' is not an IANA time zone (for example America/New_York).");
        }
        TimeZone = zone;
        UpdatedAt = now;
    }

    public void SetOwner(int? agentId, DateTime now)
    {
        OwnerId = agentId;
        UpdatedAt = now;
    }

    /// <summary>Replaces the address list; the first becomes the primary one.</summary>
    public void SetEmails(IReadOnlyList<string> addresses, DateTime now)
    {
        var wanted = addresses.Select(CustomerEmail.Normalize).Distinct().ToList();
        if (wanted.Count == 0)
        {
            throw new CustomerRuleException("email-required", "A customer needs at least one email address.");
        }
        _emails.RemoveAll(e => !wanted.Contains(e.Address));
        foreach (var address in wanted.Where(a => _emails.All(e => e.Address != a)))
        {
            _emails.Add(new CustomerEmail(address, isPrimary: false));
        }
        foreach (var email in _emails)
        {
            email.IsPrimary = email.Address == wanted[0];
        }
        UpdatedAt = now;
    }

    /// <summary>Folds <paramref name="other"/> into this customer: its addresses, phone, organisation, owner and
    /// notes where this one has none. Moving the tickets is the caller's job, in the same transaction.</summary>
    public void Absorb(Customer other, DateTime now)
    {
        if (other.Id == Id)
        {
            throw new CustomerRuleException("merge-self", "A customer cannot be merged into itself.");
        }
        if (other.MergedIntoId is not null || MergedIntoId is not null)
        {
            throw new CustomerRuleException("already-merged", "One of these customers was already merged into another.");
        }
        foreach (var email in other._emails.ToList())
        {
            other._emails.Remove(email);
            email.IsPrimary = false;
            _emails.Add(email);
        }
        Phone ??= other.Phone;
        OrganizationId ??= other.OrganizationId;
        OwnerId ??= other.OwnerId;
        TimeZone ??= other.TimeZone;
        if (!string.IsNullOrWhiteSpace(other.Notes))
        {
            Notes = string.IsNullOrWhiteSpace(Notes) ? other.Notes : $"{Notes}\n\n{other.Notes}";
        }
        other.MergedIntoId = Id;
        other.UpdatedAt = now;
        UpdatedAt = now;
    }

    private static string NameFromAddress(string address) => address.Split('@')[0];
}

public sealed class CustomerEmail
{
    public const int MaxLength = 254;

    private CustomerEmail() { }

    internal CustomerEmail(string address, bool isPrimary)
    {
        Address = address;
        IsPrimary = isPrimary;
    }

    public long Id { get; private set; }
    public long CustomerId { get; private set; }
    /// <summary>Trimmed and lower-cased, unique across customers.</summary>
    public string Address { get; private set; } = "";
    public bool IsPrimary { get; internal set; }

    public static string Normalize(string address)
    {
        var trimmed = (address ?? "").Trim();
        if (!IsValid(trimmed))
        {
            throw new CustomerRuleException("email-invalid", $"'{trimmed}' is not an email address.");
        }
        return trimmed.ToLowerInvariant();
    }

    public static bool IsValid(string? address) =>
        !string.IsNullOrWhiteSpace(address)
        && address.Length <= MaxLength
        && System.Net.Mail.MailAddress.TryCreate(address, out var parsed)
        && parsed.Address == address.Trim()
        && parsed.Host.Length > 0;
}

public sealed class Organization
{
    public const int NameMaxLength = 200;

    private Organization() { }

    public Organization(string name, DateTime now)
    {
        Name = name.Trim();
        CreatedAt = now;
    }

    public long Id { get; private set; }
    public string Name { get; private set; } = "";
    public DateTime CreatedAt { get; private set; }
}

public sealed class CustomerRuleException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
