using System.Text;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Sla;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Sla;

/// <summary>The deadline watch's two queries are answered from their partial indexes, on both databases. SQLite uses a
/// partial index only when the query repeats its condition, so a change in how EF writes the query would silently
/// turn a 1 ms lookup among a million open tickets into a walk over every warned or escalated one (bench: warn-scan).</summary>
public abstract class DeadlineIndexTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task WarningAndEscalationQueries_UseTheirPartialIndexes()
    {
        await using var db = App.CreateDbContext();
        (await PlanAsync(db, SlaWatch.DueForWarning(db.Tickets.AsNoTracking(), App.Now).Select(t => t.Id)))
            .ShouldContain("IX_Tickets_WarnAt_DueAt_Pending");
        (await PlanAsync(db, SlaWatch.DueForEscalation(db.Tickets.AsNoTracking(), App.Now).Select(t => t.Id)))
            .ShouldContain("IX_Tickets_DueAt_Unbreached");
    }

    private async Task<string> PlanAsync(RapportDb db, IQueryable<long> query)
    {
        await db.Database.OpenConnectionAsync(Ct);
        try
        {
            var sqlite = db.Database.IsSqlite();
            if (!sqlite)
            {
                // An almost empty table is cheaper to scan; what matters is that the index can answer the query.
                await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off", Ct);
            }
            await using var command = query.CreateDbCommand();
            command.CommandText = (sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + command.CommandText;
            await using var reader = await command.ExecuteReaderAsync(Ct);
            var plan = new StringBuilder();
            while (await reader.ReadAsync(Ct))
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    plan.Append(reader.GetValue(i)).Append(' ');
                }
                plan.AppendLine();
            }
            return plan.ToString();
        }
        finally
        {
            if (!db.Database.IsSqlite())
            {
                await db.Database.ExecuteSqlRawAsync("RESET enable_seqscan", Ct);
            }
            await db.Database.CloseConnectionAsync();
        }
    }
}

public sealed class DeadlineIndexTests_Sqlite(SqliteRapportFactory app) : DeadlineIndexTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class DeadlineIndexTests_Postgres(PostgresRapportFactory app) : DeadlineIndexTests(app), IClassFixture<PostgresRapportFactory>;
