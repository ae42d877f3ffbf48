using System.Reflection;
using Microsoft.Extensions.Time.Testing;
using Rapport.Features.Customers;

namespace Rapport.Tests.Features.Customers;

public sealed class CustomerRulesTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    [Fact]
    public void Addresses_are_trimmed_lower_cased_and_unique_and_the_first_is_primary()
    {
        var id = Guid.NewGuid().ToString("N");

        var customer = Customer.Create("Ann", [$"  Test+{id}@Example.COM ", $"test+{id}@example.com", $"Ann.Other+{id}@Example.com"], Now);

        customer.Emails.Select(e => e.Address).ShouldBe([$"test+{id}@example.com", $"ann.other+{id}@example.com"]);
        customer.Emails.Where(e => e.IsPrimary).Select(e => e.Address).ShouldBe([$"test+{id}@example.com"]);
        customer.PrimaryEmail.ShouldBe($"test+{id}@example.com");
        customer.CreatedAt.ShouldBe(Now);
        customer.UpdatedAt.ShouldBe(Now);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("ann")]
    [InlineData("ann@")]
    [InlineData("@example.com")]
    [InlineData("ann@@example.com")]
    [InlineData("Ann <ann@example.com>")]
    [InlineData("ann@example.com, bob@example.com")]
    [InlineData("ann example@example.com")]
    public void Malformed_addresses_are_refused(string address)
    {
        CustomerEmail.IsValid(address).ShouldBeFalse();
        Should.Throw<CustomerRuleException>(() => CustomerEmail.Normalize(address)).Code.ShouldBe("email-invalid");
        Should.Throw<CustomerRuleException>(() => Customer.Create("Ann", [address], Now)).Code.ShouldBe("email-invalid");
    }

    [Theory]
    [InlineData(254, true)]
    [InlineData(255, false)]
    public void Addresses_may_have_up_to_254_characters(int length, bool valid)
    {
        var domain = $"{new string('b', 63)}.{new string('c', 63)}.{new string('d', length - 64 - 1 - 63 - 1 - 63 - 1 - 4)}.com";
        var address = $"{new string('a', 64)}@{domain}";
        address.Length.ShouldBe(length);

        CustomerEmail.IsValid(address).ShouldBe(valid);
    }

    [Theory]
    [InlineData("ann@example.com")]
    [InlineData("o'brien+orders@mail.example.co.uk")]
    [InlineData("first.last@example.io")]
    public void Ordinary_addresses_are_accepted(string address) =>
        CustomerEmail.Normalize(address.ToUpperInvariant()).ShouldBe(address);

    [Fact]
    public void A_customer_needs_an_address()
    {
        Should.Throw<CustomerRuleException>(() => Customer.Create("Ann", [], Now)).Code.ShouldBe("email-required");
        Should.Throw<CustomerRuleException>(() => NewCustomer().SetEmails([], Now)).Code.ShouldBe("email-required");
    }

    [Fact]
    public void Without_a_name_the_customer_is_named_after_the_address()
    {
        var customer = Customer.Create("  ", ["ann.example@example.com"], Now);

        customer.Name.ShouldBe("ann.example");
    }

    [Fact]
    public void Replacing_addresses_keeps_the_rows_still_wanted_and_makes_the_first_primary()
    {
        var id = Guid.NewGuid().ToString("N");
        var customer = Customer.Create("Ann", [$"old+{id}@example.com", $"kept+{id}@example.com"], Now);
        var kept = customer.Emails.Single(e => e.Address == $"kept+{id}@example.com");
        _clock.Advance(TimeSpan.FromMinutes(1));

        customer.SetEmails([$"Kept+{id}@example.com", $"new+{id}@example.com"], Now);

        customer.Emails.Select(e => e.Address).ShouldBe([$"kept+{id}@example.com", $"new+{id}@example.com"], ignoreOrder: true);
        customer.Emails.ShouldContain(kept);
        kept.IsPrimary.ShouldBeTrue();
        customer.Emails.Count(e => e.IsPrimary).ShouldBe(1);
        customer.UpdatedAt.ShouldBe(Now);
    }

    [Fact]
    public void Merging_moves_the_addresses_and_leaves_a_pointer()
    {
        var keep = Saved(NewCustomer(), 1);
        var duplicate = Saved(Customer.Create("Ann E.", [$"test+{Guid.NewGuid():N}@example.com", $"test+{Guid.NewGuid():N}@example.org"], Now), 2);
        var keptPrimary = keep.PrimaryEmail;
        var moved = duplicate.Emails.ToList();
        _clock.Advance(TimeSpan.FromHours(1));

        keep.Absorb(duplicate, Now);

        duplicate.Emails.ShouldBeEmpty();
        keep.Emails.Count.ShouldBe(3);
        keep.Emails.ShouldContain(moved[0]);
        keep.Emails.ShouldContain(moved[1]);
        keep.PrimaryEmail.ShouldBe(keptPrimary);
        keep.Emails.Count(e => e.IsPrimary).ShouldBe(1);
        duplicate.MergedIntoId.ShouldBe(1);
        keep.MergedIntoId.ShouldBeNull();
        keep.UpdatedAt.ShouldBe(Now);
        duplicate.UpdatedAt.ShouldBe(Now);
    }

    [Fact]
    public void Merging_fills_in_missing_details_and_keeps_existing_ones()
    {
        var keep = Saved(NewCustomer(), 1);
        keep.SetPhone("+49 30 111", Now);
        keep.SetNotes("Prefers email.", Now);
        var duplicate = Saved(NewCustomer(), 2);
        duplicate.SetPhone("+49 30 222", Now);
        duplicate.SetOwner(5, Now);
        duplicate.SetNotes("VIP since 2020.", Now);

        keep.Absorb(duplicate, Now);

        keep.Phone.ShouldBe("+49 30 111");
        keep.OwnerId.ShouldBe(5);
        keep.Notes.ShouldBe("Prefers email.\n\nVIP since 2020.");
    }

    [Fact]
    public void A_customer_cannot_be_merged_into_itself()
    {
        var customer = Saved(NewCustomer(), 1);
        var emails = customer.Emails.ToList();

        Should.Throw<CustomerRuleException>(() => customer.Absorb(customer, Now)).Code.ShouldBe("merge-self");

        customer.MergedIntoId.ShouldBeNull();
        customer.Emails.ShouldBe(emails);
    }

    [Fact]
    public void A_merged_customer_cannot_be_merged_again()
    {
        var keep = Saved(NewCustomer(), 1);
        var duplicate = Saved(NewCustomer(), 2);
        var other = Saved(NewCustomer(), 3);
        keep.Absorb(duplicate, Now);

        Should.Throw<CustomerRuleException>(() => other.Absorb(duplicate, Now)).Code.ShouldBe("already-merged");
        Should.Throw<CustomerRuleException>(() => duplicate.Absorb(other, Now)).Code.ShouldBe("already-merged");
        other.Emails.Count.ShouldBe(1);
    }

    private Customer NewCustomer() => Customer.Create("Ann Example", [$"test+{Guid.NewGuid():N}@example.com"], Now);

    /// <summary>Gives the customer the key the database would; merging compares keys.</summary>
    private static Customer Saved(Customer customer, long id)
    {
        typeof(Customer).GetProperty(nameof(Customer.Id), BindingFlags.Public | BindingFlags.Instance)!.SetValue(customer, id);
        return customer;
    }
}
