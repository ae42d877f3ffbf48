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
        (await db.PlanAsync(SlaWatch.DueForWarning(db.Tickets.AsNoTracking(), App.Now).Select(t => t.Id), Ct))
            .ShouldContain("IX_Tickets_WarnAt_DueAt_Pending");
        (await db.PlanAsync(SlaWatch.DueForEscalation(db.Tickets.AsNoTracking(), App.Now).Select(t => t.Id), Ct))
            .ShouldContain("IX_Tickets_DueAt_Unbreached");
    }
}

public sealed class DeadlineIndexTests_Sqlite(SqliteRapportFactory app) : DeadlineIndexTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class DeadlineIndexTests_Postgres(PostgresRapportFactory app) : DeadlineIndexTests(app), IClassFixture<PostgresRapportFactory>;
