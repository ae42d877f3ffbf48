using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;

namespace Rapport.Tests.Infrastructure;

/// <summary>The database's plan for an EF query or a command, as text: SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN
/// with sequential scans off (an almost empty test table is cheaper to scan; what matters is that an index can answer).</summary>
public static class QueryPlans
{
    public static Task<string> PlanAsync<T>(this RapportDb db, IQueryable<T> query, CancellationToken ct) => db.PlanAsync(query.CreateDbCommand, ct);

    /// <summary>The plan of the command <paramref name="create"/> makes (on the context's connection, opened here).</summary>
    public static async Task<string> PlanAsync(this RapportDb db, Func<DbCommand> create, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        var sqlite = db.Database.IsSqlite();
        try
        {
            if (!sqlite)
            {
                await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off", ct);
            }
            await using var command = create();
            command.CommandText = (sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + command.CommandText;
            await using var reader = await command.ExecuteReaderAsync(ct);
            var plan = new StringBuilder();
            while (await reader.ReadAsync(ct))
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
            if (!sqlite)
            {
                await db.Database.ExecuteSqlRawAsync("RESET enable_seqscan", ct);
            }
            await db.Database.CloseConnectionAsync();
        }
    }
}
