using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.Options;
using Npgsql;
using Rapport.Infrastructure;

namespace Rapport.Data;

public static class DataSetup
{
    public const string ConnectionStringName = "Rapport";

    /// <summary>Registers RapportDb (scoped) and IDbContextFactory&lt;RapportDb&gt; on the configured provider.</summary>
    public static IHostApplicationBuilder AddRapportData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DataOptions>().BindConfiguration(DataOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section);

        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var dataDirectory = builder.Configuration.GetSection(DataOptions.Section).Get<DataOptions>()?.FullPath ?? new DataOptions().FullPath;
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        var signal = new CommitSignal();
        builder.Services.AddSingleton(signal);

        switch (database.Provider)
        {
            case DatabaseProvider.Sqlite:
                var sqlite = SqliteConnectionString(connectionString, dataDirectory, database);
                var gate = new SqliteWriteGate(signal);
                var setup = new SqliteConnectionSetup(database);
                builder.Services.AddSingleton(gate);
                builder.Services.AddPooledDbContextFactory<SqliteRapportDb>(o => ConfigureSqlite(o, sqlite, setup, gate));
                builder.Services.AddSingleton<IDbContextFactory<RapportDb>, UpcastFactory<SqliteRapportDb>>();
                break;
            case DatabaseProvider.Postgres:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new InvalidOperationException(
                        "Database:Provider is Postgres but ConnectionStrings:Rapport is empty. Set it, for example " +
                        "ConnectionStrings__Rapport=\"Host=localhost;Database=rapport;Username=rapport;Password=...\".");
                }
                var postgres = PostgresConnectionString(connectionString);
                builder.Services.AddPooledDbContextFactory<PostgresRapportDb>(o => ConfigurePostgres(o, postgres));
                builder.Services.AddSingleton<IDbContextFactory<RapportDb>, UpcastFactory<PostgresRapportDb>>();
                builder.Services.AddHostedService<PostgresCommitListener>();
                break;
            default:
                throw new InvalidOperationException($"Unknown Database:Provider '{database.Provider}'. Use Sqlite or Postgres.");
        }
        builder.Services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<RapportDb>>().CreateDbContext());
        builder.Services.AddSingleton<DatabaseMigrator>();
        builder.Services.AddHostedService<DatabaseMaintenance>();
        return builder;
    }

    internal static string SqliteConnectionString(string? configured, string dataDirectory, DatabaseOptions options)
    {
        var csb = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(configured)
            ? $"Data Source={Path.Combine(dataDirectory, "rapport.db")}"
            : configured)
        {
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.SqliteBusyTimeout.TotalSeconds),
        };
        if (!string.IsNullOrEmpty(csb.DataSource) && csb.DataSource != ":memory:")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(csb.DataSource))!);
        }
        return csb.ToString();
    }

    /// <summary>The configured PostgreSQL connection string, with automatic statement preparation on unless it says
    /// otherwise: EF Core sends the same statements again and again, and PostgreSQL then parses and plans each once per
    /// connection instead of on every call (docs/decisions/0040). <c>Max Auto Prepare=0</c> turns it off, as a pooler
    /// in transaction mode that cannot keep prepared statements needs.</summary>
    internal static string PostgresConnectionString(string configured)
    {
        var csb = new NpgsqlConnectionStringBuilder(configured);
        // Npgsql's builder knows every keyword whether it was given or not; the plain one lists what was written.
        var written = new DbConnectionStringBuilder { ConnectionString = configured }.Keys.Cast<string>();
        if (!written.Any(k => k.Replace(" ", "", StringComparison.Ordinal).Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase)))
        {
            csb.MaxAutoPrepare = 200;
        }
        return csb.ConnectionString;
    }

    internal static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder options, string connectionString, SqliteConnectionSetup setup, SqliteWriteGate gate) =>
        options.UseSqlite(connectionString, sqlite => sqlite.MigrationsHistoryTable("__EFMigrationsHistory"))
            .AddInterceptors(setup, gate);

    internal static DbContextOptionsBuilder ConfigurePostgres(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString);

    private sealed class UpcastFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<RapportDb>
        where TContext : RapportDb
    {
        public RapportDb CreateDbContext() => inner.CreateDbContext();
    }
}

/// <summary>Used by `dotnet ef` only: builds each context without starting the app.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteRapportDb>
{
    public SqliteRapportDb CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteRapportDb>().UseSqlite("Data Source=design-time.db").Options;
        return new SqliteRapportDb(options);
    }
}

public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresRapportDb>
{
    public PostgresRapportDb CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresRapportDb>().UseNpgsql("Host=localhost;Database=rapport_design").Options;
        return new PostgresRapportDb(options);
    }
}
