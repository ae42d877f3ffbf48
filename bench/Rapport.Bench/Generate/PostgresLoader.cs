using Npgsql;
using NpgsqlTypes;

namespace Rapport.Bench.Generate;

/// <summary>Bulk-loads into PostgreSQL with binary COPY: one connection per table, all copying at once, so the server
/// parses the tables in parallel while this process generates. Secondary indexes are dropped during the load and
/// rebuilt afterwards; foreign-key triggers are skipped (session_replication_role = replica) when the role is a
/// superuser, and otherwise checked row by row, which is slower but still correct.</summary>
internal sealed class PostgresLoader : ILoader
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlConnection _connection;
    private readonly List<(string Name, string Sql)> _droppedIndexes = [];
    private readonly List<(NpgsqlConnection Connection, NpgsqlBinaryImporter Importer)> _copies = [];
    private NpgsqlBinaryImporter _organizations = null!, _customers = null!, _emails = null!, _tickets = null!, _messages = null!, _events = null!, _tags = null!;
    private bool _skipForeignKeys;

    public PostgresLoader(string connectionString)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _connection = _dataSource.OpenConnection();
    }

    public string Describe => $"PostgreSQL {_connection.PostgreSqlVersion} ({_connection.Host}:{_connection.Port}/{_connection.Database})";

    public void VerifySchema()
    {
        if (Scalar<long>("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '__EFMigrationsHistory'") == 0)
        {
            throw new SchemaMismatchException("The database has no __EFMigrationsHistory table: run the app's `migrate` command first.");
        }
        Schema.Verify(table => Strings(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @t", table));
    }

    public IReadOnlyList<int> AgentIds()
    {
        using var command = new NpgsqlCommand("SELECT \"Id\" FROM \"AspNetUsers\" ORDER BY \"Id\"", _connection);
        using var reader = command.ExecuteReader();
        var ids = new List<int>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt32(0));
        }
        return ids;
    }

    public string? BusinessTimeZone()
    {
        using var command = new NpgsqlCommand("SELECT \"TimeZone\" FROM \"BusinessProfiles\" LIMIT 1", _connection);
        return command.ExecuteScalar() as string;
    }

    public StartIds NextIds()
    {
        long Next(string table) => Scalar<long>($"SELECT COALESCE(MAX(\"Id\"), 0) + 1 FROM \"{table}\"");
        return new StartIds(Next("Organizations"), Next("Customers"), Next("CustomerEmails"), Next("Tickets"), Next("Messages"), Next("TicketEvents"));
    }

    public void Begin()
    {
        _skipForeignKeys = Scalar<bool>("SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
        // Indexes that back a constraint (primary keys) stay; the others are rebuilt after the load.
        using (var command = new NpgsqlCommand(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = current_schema() AND t.relname = ANY(@tables)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            """, _connection))
        {
            command.Parameters.AddWithValue("tables", Schema.Tables.Keys.ToArray());
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                _droppedIndexes.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        foreach (var (name, _) in _droppedIndexes)
        {
            Execute(_connection, $"DROP INDEX \"{name}\"");
        }
        _organizations = Copy("Organizations");
        _customers = Copy("Customers");
        _emails = Copy("CustomerEmails");
        _tickets = Copy("Tickets");
        _messages = Copy("Messages");
        _events = Copy("TicketEvents");
        _tags = Copy("TicketTags");
    }

    public void Add(in OrganizationRow r)
    {
        var w = _organizations;
        w.StartRow();
        w.Write(r.Id, NpgsqlDbType.Bigint);
        w.Write(r.Name, NpgsqlDbType.Varchar);
        w.Write(r.CreatedAt, NpgsqlDbType.TimestampTz);
    }

    public void Add(in CustomerRow r)
    {
        var w = _customers;
        w.StartRow();
        w.Write(r.Id, NpgsqlDbType.Bigint);
        w.Write(r.Name, NpgsqlDbType.Varchar);
        WriteOrNull(w, r.Phone, NpgsqlDbType.Varchar);
        WriteOrNull(w, r.OrganizationId, NpgsqlDbType.Bigint);
        w.WriteNull();
        w.WriteNull();
        w.Write(r.CreatedAt, NpgsqlDbType.TimestampTz);
        w.Write(r.UpdatedAt, NpgsqlDbType.TimestampTz);
        w.WriteNull();
    }

    public void Add(in CustomerEmailRow r)
    {
        var w = _emails;
        w.StartRow();
        w.Write(r.Id, NpgsqlDbType.Bigint);
        w.Write(r.CustomerId, NpgsqlDbType.Bigint);
        w.Write(r.Address, NpgsqlDbType.Varchar);
        w.Write(r.IsPrimary, NpgsqlDbType.Boolean);
    }

    public void Add(in TicketRow r)
    {
        var w = _tickets;
        w.StartRow();
        w.Write(r.Id, NpgsqlDbType.Bigint);
        w.Write(r.Subject, NpgsqlDbType.Varchar);
        w.Write(r.Status, NpgsqlDbType.Varchar);
        w.Write(r.Priority, NpgsqlDbType.Varchar);
        w.Write(r.Channel, NpgsqlDbType.Varchar);
        w.Write(r.CustomerId, NpgsqlDbType.Bigint);
        WriteOrNull(w, r.OwnerId, NpgsqlDbType.Integer);
        w.Write(r.CreatedAt, NpgsqlDbType.TimestampTz);
        w.Write(r.UpdatedAt, NpgsqlDbType.TimestampTz);
        WriteOrNull(w, r.FirstResponseAt, NpgsqlDbType.TimestampTz);
        WriteOrNull(w, r.ResolvedAt, NpgsqlDbType.TimestampTz);
        WriteOrNull(w, r.ClosedAt, NpgsqlDbType.TimestampTz);
        w.Write(r.Version, NpgsqlDbType.Integer);
        var sla = r.Sla;
        WriteOrNull(w, sla.FirstResponseDueAt, NpgsqlDbType.TimestampTz);
        WriteOrNull(w, sla.NextResponseDueAt, NpgsqlDbType.TimestampTz);
        WriteOrNull(w, sla.ResolutionDueAt, NpgsqlDbType.TimestampTz);
        WriteOrNull(w, sla.ResolutionTimeLeft, NpgsqlDbType.Interval);
        WriteOrNull(w, sla.LastCustomerMessageAt, NpgsqlDbType.TimestampTz);
        WriteOrNull(w, sla.LastReplyAt, NpgsqlDbType.TimestampTz);
        WriteOrNull(w, sla.DueAt, NpgsqlDbType.TimestampTz);
        WriteOrNull(w, sla.DueFor, NpgsqlDbType.Varchar);
        WriteOrNull(w, sla.WarnAt, NpgsqlDbType.TimestampTz);
        WriteOrNull(w, sla.WarnedFor, NpgsqlDbType.TimestampTz);
        WriteOrNull(w, sla.BreachedFor, NpgsqlDbType.TimestampTz);
        // Not a complaint, no acknowledgement owed: a generated history has been worked through.
        w.Write(false, NpgsqlDbType.Boolean);
        w.Write(false, NpgsqlDbType.Boolean);
    }

    public void Add(in MessageRow r)
    {
        var w = _messages;
        w.StartRow();
        w.Write(r.Id, NpgsqlDbType.Bigint);
        w.Write(r.TicketId, NpgsqlDbType.Bigint);
        w.Write(r.Kind, NpgsqlDbType.Varchar);
        WriteOrNull(w, r.AuthorAgentId, NpgsqlDbType.Integer);
        WriteOrNull(w, r.AuthorCustomerId, NpgsqlDbType.Bigint);
        w.Write(r.Text, NpgsqlDbType.Text);
        w.WriteNull();
        w.Write(r.CreatedAt, NpgsqlDbType.TimestampTz);
        w.Write(false, NpgsqlDbType.Boolean);
    }

    public void Add(in TicketEventRow r)
    {
        var w = _events;
        w.StartRow();
        w.Write(r.Id, NpgsqlDbType.Bigint);
        w.Write(r.TicketId, NpgsqlDbType.Bigint);
        w.Write(r.Kind, NpgsqlDbType.Varchar);
        WriteOrNull(w, r.AgentId, NpgsqlDbType.Integer);
        WriteOrNull(w, r.ApiTokenId, NpgsqlDbType.Integer);
        WriteOrNull(w, r.CustomerId, NpgsqlDbType.Bigint);
        WriteOrNull(w, r.Detail, NpgsqlDbType.Varchar);
        w.Write(r.At, NpgsqlDbType.TimestampTz);
        w.Write(r.Via, NpgsqlDbType.Varchar);
    }

    public void Add(in TicketTagRow r)
    {
        var w = _tags;
        w.StartRow();
        w.Write(r.TicketId, NpgsqlDbType.Bigint);
        w.Write(r.Name, NpgsqlDbType.Varchar);
    }

    public void Complete(Action<string> log)
    {
        foreach (var (connection, importer) in _copies)
        {
            importer.Complete();
            importer.Dispose();
            connection.Dispose();
        }
        _copies.Clear();
        log("rebuilding indexes");
        RestoreIndexes();
        foreach (var table in Schema.TablesWithIds)
        {
            // Identity columns do not advance when ids are given explicitly.
            Execute(_connection, $"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'Id'), (SELECT COALESCE(MAX(\"Id\"), 0) + 1 FROM \"{table}\"), false)");
        }
    }

    public void Analyze() => Execute(_connection, "ANALYZE");

    public void Abort()
    {
        foreach (var (connection, importer) in _copies)
        {
            try
            {
                importer.Dispose();
            }
            catch (Exception)
            {
                // Disposing an unfinished import cancels it; the server may already have gone.
            }
            connection.Dispose();
        }
        _copies.Clear();
        RestoreIndexes();
    }

    public void Finish()
    {
    }

    public void Dispose()
    {
        _connection.Dispose();
        _dataSource.Dispose();
    }

    private void RestoreIndexes()
    {
        // Two at a time: the machines this runs on have few cores, and each build is mostly sorting.
        Execute(_connection, "SET maintenance_work_mem = '512MB'");
        Parallel.ForEach(_droppedIndexes, new ParallelOptions { MaxDegreeOfParallelism = 2 }, index =>
        {
            using var connection = _dataSource.OpenConnection();
            Execute(connection, "SET maintenance_work_mem = '512MB'");
            Execute(connection, index.Sql);
        });
        _droppedIndexes.Clear();
    }

    private NpgsqlBinaryImporter Copy(string table)
    {
        var connection = _dataSource.OpenConnection();
        if (_skipForeignKeys)
        {
            Execute(connection, "SET session_replication_role = replica");
        }
        var columns = string.Join(", ", Schema.Tables[table].Select(c => $"\"{c}\""));
        var importer = connection.BeginBinaryImport($"COPY \"{table}\" ({columns}) FROM STDIN (FORMAT BINARY)");
        _copies.Add((connection, importer));
        return importer;
    }

    private static void WriteOrNull<T>(NpgsqlBinaryImporter w, T? value, NpgsqlDbType type) where T : struct
    {
        if (value is { } v)
        {
            w.Write(v, type);
        }
        else
        {
            w.WriteNull();
        }
    }

    private static void WriteOrNull(NpgsqlBinaryImporter w, string? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            w.WriteNull();
        }
        else
        {
            w.Write(value, type);
        }
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        command.ExecuteNonQuery();
    }

    private T Scalar<T>(string sql)
    {
        using var command = new NpgsqlCommand(sql, _connection);
        return (T)command.ExecuteScalar()!;
    }

    private List<string> Strings(string sql, string table)
    {
        using var command = new NpgsqlCommand(sql, _connection);
        command.Parameters.AddWithValue("t", table);
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}
