using Microsoft.EntityFrameworkCore;
using Rapport.Data;

namespace Rapport.Bench.Measure;

/// <summary>Contexts on a generated database, as the app configures them minus its write interceptors: for the
/// measurements that read in process.</summary>
internal sealed class BenchContexts(string provider, string connection) : IDbContextFactory<RapportDb>
{
    public RapportDb CreateDbContext() => provider switch
    {
        "sqlite" => new SqliteRapportDb(new DbContextOptionsBuilder<SqliteRapportDb>().UseSqlite(connection).Options),
        "postgres" => new PostgresRapportDb(new DbContextOptionsBuilder<PostgresRapportDb>().UseNpgsql(connection).Options),
        _ => throw new UsageException("--provider must be sqlite or postgres."),
    };
}
