using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Customers;
using Rapport.Infrastructure;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Data;

/// <summary>Write transactions: on SQLite one at a time through the process's write gate, which every way out of a
/// transaction must give back (else the next writer would wait for ever); on PostgreSQL plain transactions.</summary>
public abstract class WriteTransactionTests(RapportFactory app) : DatabaseTests(app)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task SecondWriter_WhileTheFirstIsOpen_BeginsAfterItsCommitOnSqliteAndAtOnceOnPostgres()
    {
        await using var first = App.CreateDbContext();
        await using var second = App.CreateDbContext();
        // Disposed however the test ends, so a failed assertion never leaves the gate held for the tests after it.
        await using var firstTransaction = await first.BeginWriteTransactionAsync(Ct);
        first.Customers.Add(Customer.Create("First Writer", [$"first-{Guid.NewGuid():N}@example.test"], App.Now));
        await first.SaveChangesAsync(Ct);

        var beginning = second.BeginWriteTransactionAsync(Ct);
        if (App.Provider == DatabaseProvider.Sqlite)
        {
            await Task.Delay(300, Ct);
            beginning.IsCompleted.ShouldBeFalse("the second writer waits for the first one's turn to end");
        }
        else
        {
            await beginning.WaitAsync(Soon, Ct);
        }
        await firstTransaction.CommitAsync(Ct);
        await using var secondTransaction = await beginning.WaitAsync(Soon, Ct);
        second.Customers.Add(Customer.Create("Second Writer", [$"second-{Guid.NewGuid():N}@example.test"], App.Now));
        await second.SaveChangesAsync(Ct);
        await secondTransaction.CommitAsync(Ct);

        await using var check = App.CreateDbContext();
        (await check.Customers.CountAsync(c => c.Name == "First Writer" || c.Name == "Second Writer", Ct)).ShouldBe(2);
    }

    [Fact]
    public async Task Transaction_DisposedWithoutCommit_RollsBackAndLetsTheNextWriterIn()
    {
        var address = $"rolled-back-{Guid.NewGuid():N}@example.test";
        await using (var db = App.CreateDbContext())
        {
            await using var transaction = await db.BeginWriteTransactionAsync(Ct);
            db.Customers.Add(Customer.Create("Rolled Back", [address], App.Now));
            await db.SaveChangesAsync(Ct);
        }

        await using (var db = App.CreateDbContext())
        {
            await using var transaction = await db.BeginWriteTransactionAsync(Ct).WaitAsync(Soon, Ct);
            await transaction.CommitAsync(Ct);
        }
        // A save outside a transaction passes the same gate.
        await using var other = App.CreateDbContext();
        other.Customers.Add(Customer.Create("After", [$"after-{Guid.NewGuid():N}@example.test"], App.Now));
        await other.SaveChangesAsync(Ct).WaitAsync(Soon, Ct);
        (await other.CustomerEmails.AnyAsync(e => e.Address == address, Ct)).ShouldBeFalse();
    }
}

public sealed class WriteTransactionTests_Sqlite(SqliteRapportFactory app) : WriteTransactionTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class WriteTransactionTests_Postgres(PostgresRapportFactory app) : WriteTransactionTests(app), IClassFixture<PostgresRapportFactory>;
