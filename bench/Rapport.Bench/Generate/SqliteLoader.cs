using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Rapport.Bench.Generate;

/// <summary>Bulk-loads into SQLite: one connection, prepared INSERTs, large transactions, no fsync, and the tables'
/// secondary indexes dropped during the load and rebuilt afterwards (a sorted build is much faster than keeping
/// several random-order indexes up to date row by row).</summary>
internal sealed class SqliteLoader : ILoader
{
    // What EF Core's SQLite provider writes for DateTime (SqliteDateTimeTypeMapping), so text comparisons agree.
    private const string DateTimeFormat = "yyyy-MM-dd HH:mm:ss.FFFFFFF";
    private const int RowsPerTransaction = 250_000;

    private readonly SqliteConnection _connection;
    private readonly List<(string Name, string Sql)> _droppedIndexes = [];
    private SqliteTransaction? _transaction;
    private int _rowsInTransaction;
    private Insert _organizations = null!, _customers = null!, _emails = null!, _tickets = null!, _messages = null!, _events = null!, _tags = null!;

    public SqliteLoader(string connectionString)
    {
        SQLitePCL.Batteries_V2.Init();
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        _connection.Open();
    }

    public string Describe => $"SQLite {_connection.ServerVersion} ({_connection.DataSource})";

    public void VerifySchema()
    {
        if (!Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsHistory'").Any())
        {
            throw new SchemaMismatchException("The database has no __EFMigrationsHistory table: run the app's `migrate` command first.");
        }
        Schema.Verify(table => Query($"SELECT name FROM pragma_table_info('{table}')").ToList());
    }

    public IReadOnlyList<int> AgentIds() =>
        Query("SELECT Id FROM AspNetUsers ORDER BY Id").Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList();

    public string? BusinessTimeZone() => Query("SELECT \"TimeZone\" FROM \"BusinessProfiles\" LIMIT 1").FirstOrDefault();

    public StartIds NextIds()
    {
        long Next(string table) => long.Parse(Query($"SELECT COALESCE(MAX(Id), 0) + 1 FROM \"{table}\"").Single(), CultureInfo.InvariantCulture);
        return new StartIds(Next("Organizations"), Next("Customers"), Next("CustomerEmails"), Next("Tickets"), Next("Messages"), Next("TicketEvents"));
    }

    public void Begin()
    {
        // synchronous=OFF: a crash mid-load can corrupt the file, which is fine for a benchmark database.
        Execute("PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;");
        Execute("PRAGMA journal_mode = WAL;");
        var tables = string.Join(", ", Schema.Tables.Keys.Select(t => $"'{t}'"));
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = $"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({tables})";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                _droppedIndexes.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        foreach (var (name, _) in _droppedIndexes)
        {
            Execute($"DROP INDEX \"{name}\"");
        }
        _transaction = _connection.BeginTransaction();
        _organizations = Prepare("Organizations");
        _customers = Prepare("Customers");
        _emails = Prepare("CustomerEmails");
        _tickets = Prepare("Tickets");
        _messages = Prepare("Messages");
        _events = Prepare("TicketEvents");
        _tags = Prepare("TicketTags");
    }

    public void Add(in OrganizationRow r) => _organizations.Run(this, r.Id, r.Name, Time(r.CreatedAt));

    public void Add(in CustomerRow r) =>
        _customers.Run(this, r.Id, r.Name, r.Phone, r.OrganizationId, null, null, Time(r.CreatedAt), Time(r.UpdatedAt), null);

    public void Add(in CustomerEmailRow r) => _emails.Run(this, r.Id, r.CustomerId, r.Address, r.IsPrimary ? 1 : 0);

    public void Add(in TicketRow r) =>
        _tickets.Run(this, r.Id, r.Subject, r.Status, r.Priority, r.Channel, r.CustomerId, r.OwnerId, Time(r.CreatedAt), Time(r.UpdatedAt),
            Time(r.FirstResponseAt), Time(r.ResolvedAt), Time(r.ClosedAt), r.Version, Time(r.Sla.FirstResponseDueAt), Time(r.Sla.NextResponseDueAt),
            Time(r.Sla.ResolutionDueAt), r.Sla.ResolutionTimeLeft?.ToString("c", CultureInfo.InvariantCulture), Time(r.Sla.LastCustomerMessageAt),
            Time(r.Sla.LastReplyAt), Time(r.Sla.DueAt), r.Sla.DueFor, Time(r.Sla.WarnAt), Time(r.Sla.WarnedFor), Time(r.Sla.BreachedFor),
            false, false);

    public void Add(in MessageRow r) =>
        _messages.Run(this, r.Id, r.TicketId, r.Kind, r.AuthorAgentId, r.AuthorCustomerId, r.Text, null, Time(r.CreatedAt), false);

    public void Add(in TicketEventRow r) =>
        _events.Run(this, r.Id, r.TicketId, r.Kind, r.AgentId, r.ApiTokenId, r.CustomerId, r.Detail, Time(r.At), r.Via);

    public void Add(in TicketTagRow r) => _tags.Run(this, r.TicketId, r.Name);

    public void Complete(Action<string> log)
    {
        _transaction!.Commit();
        _transaction = null;
        log("rebuilding indexes");
        RestoreIndexes();
    }

    public void Analyze() => Execute("ANALYZE;");

    public void Abort()
    {
        _transaction?.Rollback();
        _transaction = null;
        RestoreIndexes();
    }

    public void Finish() => Execute("PRAGMA wal_checkpoint(TRUNCATE);");

    public void Dispose() => _connection.Dispose();

    private void RestoreIndexes()
    {
        foreach (var (_, sql) in _droppedIndexes)
        {
            Execute(sql);
        }
        _droppedIndexes.Clear();
    }

    private void RowWritten()
    {
        if (++_rowsInTransaction < RowsPerTransaction)
        {
            return;
        }
        _transaction!.Commit();
        _transaction = _connection.BeginTransaction();
        foreach (var insert in new[] { _organizations, _customers, _emails, _tickets, _messages, _events, _tags })
        {
            insert.Command.Transaction = _transaction;
        }
        _rowsInTransaction = 0;
    }

    private Insert Prepare(string table)
    {
        var columns = Schema.Tables[table];
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})";
        var parameters = columns.Select((_, i) => command.Parameters.Add(new SqliteParameter($"$p{i}", null))).ToArray();
        command.Prepare();
        return new Insert(command, parameters);
    }

    private static string? Time(DateTime? value) => value?.ToString(DateTimeFormat, CultureInfo.InvariantCulture);

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private IEnumerable<string> Query(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        }
        return values;
    }

    private sealed record Insert(SqliteCommand Command, SqliteParameter[] Parameters)
    {
        public void Run(SqliteLoader loader, params ReadOnlySpan<object?> values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                Parameters[i].Value = values[i] ?? DBNull.Value;
            }
            Command.ExecuteNonQuery();
            loader.RowWritten();
        }
    }
}
