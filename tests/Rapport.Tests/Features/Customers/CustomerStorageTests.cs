using Microsoft.EntityFrameworkCore;
using Rapport.Features.Customers;
using Rapport.Infrastructure;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Customers;

public abstract class CustomerStorageTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task Two_customers_cannot_share_an_address()
    {
        var address = $"test+{Guid.NewGuid():N}@example.com";
        await using (var db = App.CreateDbContext())
        {
            db.Customers.Add(Customer.Create("Ann", [address], App.Now));
            await db.SaveChangesAsync(Ct);
        }

        await using (var db = App.CreateDbContext())
        {
            // Written differently, but the same address once normalised.
            db.Customers.Add(Customer.Create("Ann again", [$" {address.ToUpperInvariant()} "], App.Now));

            var refused = await Should.ThrowAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));

            refused.IsUniqueViolation().ShouldBeTrue(refused.InnerException?.Message);
        }

        await using (var db = App.CreateDbContext())
        {
            (await db.CustomerEmails.CountAsync(e => e.Address == address, Ct)).ShouldBe(1);
        }
    }

    [Fact]
    public async Task Merging_moves_the_address_rows_to_the_customer_that_stays()
    {
        var keepAddress = $"test+{Guid.NewGuid():N}@example.com";
        var movedAddresses = new[] { $"test+{Guid.NewGuid():N}@example.com", $"test+{Guid.NewGuid():N}@example.org" };
        long keepId, duplicateId;
        await using (var db = App.CreateDbContext())
        {
            var keep = Customer.Create("Ann Example", [keepAddress], App.Now);
            var duplicate = Customer.Create("A. Example", movedAddresses, App.Now);
            duplicate.SetPhone("+49 30 1234567", App.Now);
            db.Customers.AddRange(keep, duplicate);
            await db.SaveChangesAsync(Ct);
            (keepId, duplicateId) = (keep.Id, duplicate.Id);
        }

        App.Time.Advance(TimeSpan.FromDays(1));
        await using (var db = App.CreateDbContext())
        {
            var customers = await db.Customers.Include(c => c.Emails).Where(c => c.Id == keepId || c.Id == duplicateId).ToListAsync(Ct);
            customers.Single(c => c.Id == keepId).Absorb(customers.Single(c => c.Id == duplicateId), App.Now);
            await db.SaveChangesAsync(Ct);
        }

        await using (var db = App.CreateDbContext())
        {
            var keep = await db.Customers.AsNoTracking().Include(c => c.Emails).SingleAsync(c => c.Id == keepId, Ct);
            var duplicate = await db.Customers.AsNoTracking().Include(c => c.Emails).SingleAsync(c => c.Id == duplicateId, Ct);
            keep.Emails.Select(e => e.Address).ShouldBe([keepAddress, .. movedAddresses], ignoreOrder: true);
            keep.PrimaryEmail.ShouldBe(keepAddress);
            keep.Emails.Count(e => e.IsPrimary).ShouldBe(1);
            keep.Phone.ShouldBe("+49 30 1234567");
            keep.UpdatedAt.ShouldBe(App.Now);
            duplicate.Emails.ShouldBeEmpty();
            duplicate.MergedIntoId.ShouldBe(keepId);
        }
    }
}

public sealed class CustomerStorageTests_Sqlite(SqliteRapportFactory app) : CustomerStorageTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class CustomerStorageTests_Postgres(PostgresRapportFactory app) : CustomerStorageTests(app), IClassFixture<PostgresRapportFactory>;
