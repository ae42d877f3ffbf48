using System.Collections;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Rapport.Data;

/// <summary>Inserts new entities, and the new entities they reach through navigations, in the context's current
/// transaction without the change tracker: one prepared <c>INSERT … RETURNING</c> per table, its columns, types and
/// value conversions read from the EF Core model, so the rows are the ones <c>SaveChanges</c> would write. Principals
/// go in before their dependents, whose foreign keys (and the new rows' keys) are set on the objects as they go.
/// For the mail writer's hot path, where a save's change tracking and command building cost several times the
/// database's own work (docs/decisions/0041). It also writes the changed columns of a stored row against a snapshot
/// taken before the change (<see cref="UpdateAsync"/>, 0047); anything else goes through <c>SaveChanges</c>.</summary>
public sealed class RowWriter(RapportDb db) : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<(IModel, Type), Table> Tables = new();

    private readonly Dictionary<Table, DbCommand> _commands = [];
    private readonly Dictionary<(Table, string), DbCommand> _updates = [];
    private readonly HashSet<object> _seen = new(ReferenceEqualityComparer.Instance);

    /// <summary>Inserts <paramref name="entity"/> unless it is stored already (its generated key is set) or was
    /// inserted by this writer, with the new principals it points at first and the new dependents it holds after.</summary>
    public async Task InsertAsync(object entity, CancellationToken ct)
    {
        var table = TableOf(entity.GetType());
        if (!table.IsStored(entity) && _seen.Add(entity))
        {
            await InsertNewAsync(table, entity, ct);
        }
    }

    /// <summary>Inserts the new objects that the navigations of <paramref name="stored"/>, a stored row, hold: those whose
    /// generated key is not set (with the new principals they point at and their own new dependents), each taking the
    /// stored row's key. Dependents whose key is not generated cannot be told from stored ones and are left alone.</summary>
    public async Task InsertNewDependentsAsync(object stored, CancellationToken ct)
    {
        var table = TableOf(stored.GetType());
        if (!table.IsStored(stored))
        {
            throw new InvalidOperationException($"The {table.Name} row is not stored yet; insert it with InsertAsync.");
        }
        await InsertDependentsAsync(table, stored, generatedOnly: true, ct);
    }

    /// <summary>The values of a stored row's mapped columns as they are now, for <see cref="UpdateAsync"/> to compare against.</summary>
    public object?[] Snapshot(object stored)
    {
        var table = TableOf(stored.GetType());
        return [.. table.Columns.Select(c => c.Property.GetGetter().GetClrValueUsingContainingEntity(stored))];
    }

    /// <summary>Writes what changed on a stored row since <paramref name="snapshot"/> was taken: one <c>UPDATE</c> of the
    /// changed columns, by key and, as <c>SaveChanges</c> does, by the concurrency tokens' values in the snapshot, so a row
    /// changed meanwhile by someone else fails with a <see cref="DbUpdateConcurrencyException"/> and nothing is written.</summary>
    public async Task UpdateAsync(object stored, object?[] snapshot, CancellationToken ct)
    {
        var table = TableOf(stored.GetType());
        if (table.GeneratedKey is not { } key || !table.IsStored(stored))
        {
            throw new InvalidOperationException($"UpdateAsync writes a stored {table.Name} row with a generated key.");
        }
        var changed = new List<int>();
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var property = table.Columns[i].Property;
            if (!property.GetValueComparer().Equals(property.GetGetter().GetClrValueUsingContainingEntity(stored), snapshot[i]))
            {
                changed.Add(i);
            }
        }
        if (changed.Count == 0)
        {
            return;
        }
        var sql = db.GetService<ISqlGenerationHelper>();
        var tokens = table.ConcurrencyTokens;
        // The changed columns' new values, the key, and the tokens' values as read: parameters as EF Core makes them.
        List<(IProperty Property, RelationalTypeMapping Mapping, string Parameter, object? Value)> values = changed.Select(i => (table.Columns[i].Property,
                table.Columns[i].Mapping, table.Columns[i].Parameter, table.Columns[i].Property.GetGetter().GetClrValueUsingContainingEntity(stored)))
            .Append((key, key.GetRelationalTypeMapping(), sql.GenerateParameterName("key"), key.GetGetter().GetClrValueUsingContainingEntity(stored)))
            .Concat(tokens.Select(i => (table.Columns[i].Property, table.Columns[i].Mapping,
                sql.GenerateParameterName("token" + i.ToString(CultureInfo.InvariantCulture)), snapshot[i])))
            .ToList();
        var signature = string.Join(",", changed);
        if (!_updates.TryGetValue((table, signature), out var command))
        {
            command = _updates[(table, signature)] = NewCommand(
                $"UPDATE {table.QuotedName} SET {string.Join(", ", changed.Select(i => $"{table.Columns[i].Quoted} = {table.Columns[i].Parameter}"))} " +
                $"WHERE {table.QuotedKey} = {values[changed.Count].Parameter}" +
                string.Concat(tokens.Select((i, n) => $" AND {table.Columns[i].Quoted} = {values[changed.Count + 1 + n].Parameter}")));
        }
        InTransaction(command);
        for (var i = 0; i < values.Count; i++)
        {
            var (property, mapping, parameter, value) = values[i];
            Bind(command, i, property, mapping, parameter, value);
        }
        int affected;
        try
        {
            affected = await command.ExecuteNonQueryAsync(ct);
        }
        catch (DbException e)
        {
            throw new DbUpdateException($"An error occurred while updating {table.Name}: {e.Message}", e);
        }
        if (affected != 1)
        {
            throw new DbUpdateConcurrencyException($"The {table.Name} row was changed or deleted by someone else since it was read ({affected} rows updated).");
        }
    }

    private async Task InsertNewAsync(Table table, object entity, CancellationToken ct)
    {
        foreach (var (navigation, foreignKey) in table.Principals)
        {
            if (navigation.GetGetter().GetClrValueUsingContainingEntity(entity) is not { } principal)
            {
                continue;
            }
            var principalTable = TableOf(principal.GetType());
            if (principalTable.GeneratedKey is not null && !principalTable.IsStored(principal) && _seen.Add(principal))
            {
                await InsertNewAsync(principalTable, principal, ct);
            }
            var principalKey = foreignKey.PrincipalKey.Properties[0];
            Table.Set(foreignKey.Properties[0], entity, principalKey.GetGetter().GetClrValueUsingContainingEntity(principal));
        }

        if (!_commands.TryGetValue(table, out var command))
        {
            command = _commands[table] = NewCommand(table.Sql);
        }
        InTransaction(command);
        for (var i = 0; i < table.Columns.Count; i++)
        {
            var column = table.Columns[i];
            Bind(command, i, column.Property, column.Mapping, column.Parameter, column.Property.GetGetter().GetClrValueUsingContainingEntity(entity));
        }
        try
        {
            if (table.GeneratedKey is { } key)
            {
                var id = await command.ExecuteScalarAsync(ct)
                    ?? throw new InvalidOperationException($"The insert into {table.Name} returned no key.");
                Table.Set(key, entity, Convert.ChangeType(id, key.ClrType, CultureInfo.InvariantCulture));
            }
            else
            {
                await command.ExecuteNonQueryAsync(ct);
            }
        }
        catch (DbException e)
        {
            // As SaveChanges reports it, so callers handle a unique violation (DbErrors.IsUniqueViolation) the same way.
            throw new DbUpdateException($"An error occurred while inserting into {table.Name}: {e.Message}", e);
        }
        await InsertDependentsAsync(table, entity, generatedOnly: false, ct);
    }

    private async Task InsertDependentsAsync(Table table, object entity, bool generatedOnly, CancellationToken ct)
    {
        foreach (var (navigation, foreignKey) in table.Dependents)
        {
            var value = navigation.GetGetter().GetClrValueUsingContainingEntity(entity);
            IEnumerable dependents = value switch
            {
                null => Array.Empty<object>(),
                IEnumerable many when navigation.IsCollection => many,
                _ => new[] { value },
            };
            var key = foreignKey.PrincipalKey.Properties[0].GetGetter().GetClrValueUsingContainingEntity(entity);
            foreach (var dependent in dependents)
            {
                var dependentTable = TableOf(dependent.GetType());
                if (generatedOnly && dependentTable.GeneratedKey is null || dependentTable.IsStored(dependent) || !_seen.Add(dependent))
                {
                    continue;
                }
                Table.Set(foreignKey.Properties[0], dependent, key);
                await InsertNewAsync(dependentTable, dependent, ct);
            }
        }
    }

    private Table TableOf(Type type) => Tables.GetOrAdd((db.Model, type), static (k, db) => Table.Of(k.Item1, k.Item2, db), db);

    /// <summary>A command kept for this writer's rows (prepared once by the provider, then run with new values).</summary>
    private DbCommand NewCommand(string sql)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        if (db.Database.GetCommandTimeout() is { } timeout)
        {
            command.CommandTimeout = timeout;
        }
        return command;
    }

    private void InTransaction(DbCommand command) => command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction()
        ?? throw new InvalidOperationException("RowWriter writes inside the context's transaction; begin one first.");

    /// <summary>Sets the command's <paramref name="index"/>th parameter to a parameter made as EF Core makes it (value
    /// converted, provider type and the column's size set); after the first row only its value is copied into the
    /// command's own, since a provider may keep the parameter objects of a command it has parsed (Npgsql does) and
    /// infers a size from a value (Microsoft.Data.Sqlite does).</summary>
    private static void Bind(DbCommand command, int index, IProperty property, RelationalTypeMapping mapping, string parameter, object? value)
    {
        var made = mapping.CreateParameter(command, parameter, value, property.IsNullable);
        if (command.Parameters.Count == index)
        {
            command.Parameters.Add(made);
        }
        else
        {
            command.Parameters[index].Value = made.Value;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _commands.Values.Concat(_updates.Values))
        {
            await command.DisposeAsync();
        }
        _commands.Clear();
        _updates.Clear();
    }

    private sealed record Column(IProperty Property, RelationalTypeMapping Mapping, string Parameter, string Quoted);

    /// <summary>How one entity type is inserted, read once per model from its metadata.</summary>
    private sealed class Table
    {
        public required string Name { get; init; }
        public required string Sql { get; init; }
        public required string QuotedName { get; init; }
        /// <summary>The generated key's column, quoted (empty when the key is not generated).</summary>
        public required string QuotedKey { get; init; }
        /// <summary>The indexes in <see cref="Columns"/> of the concurrency tokens.</summary>
        public required IReadOnlyList<int> ConcurrencyTokens { get; init; }
        /// <summary>The key the database generates (returned by the insert), or null when the object carries its key.</summary>
        public required IProperty? GeneratedKey { get; init; }
        public required IReadOnlyList<Column> Columns { get; init; }
        /// <summary>References to principals, whose keys this row's foreign keys take.</summary>
        public required IReadOnlyList<(INavigation Navigation, IForeignKey ForeignKey)> Principals { get; init; }
        /// <summary>Navigations to dependents, which take this row's key.</summary>
        public required IReadOnlyList<(INavigation Navigation, IForeignKey ForeignKey)> Dependents { get; init; }

        /// <summary>Whether the object is a stored row: its generated key is set. An object whose key is not generated
        /// is new when given to <see cref="InsertAsync"/> or reached from a new principal; as a principal it is taken as stored.</summary>
        public bool IsStored(object entity) => GeneratedKey is not null && !GeneratedKey.GetGetter().HasSentinelValueUsingContainingEntity(entity);

        public static Table Of(IModel model, Type type, RapportDb db)
        {
            var entityType = model.FindEntityType(type) ?? throw new NotSupportedException($"{type.Name} is not an entity of the model.");
            var name = entityType.GetTableName() ?? throw new NotSupportedException($"{type.Name} is not mapped to a table.");
            var schema = entityType.GetSchema();
            var store = StoreObjectIdentifier.Table(name, schema);
            var unsupported = entityType.GetProperties().Where(p => p.IsShadowProperty() || p.GetComputedColumnSql() is not null
                    || p.ValueGenerated == ValueGenerated.OnAddOrUpdate).Select(p => p.Name)
                .Concat(entityType.GetComplexProperties().Select(p => p.Name))
                .Concat(entityType.GetSkipNavigations().Select(n => n.Name))
                .Concat(entityType.GetNavigations().Where(n => n.ForeignKey.IsOwnership || n.ForeignKey.Properties.Count != 1).Select(n => n.Name))
                .ToList();
            if (entityType.BaseType is not null || entityType.GetDirectlyDerivedTypes().Any() || unsupported.Count > 0)
            {
                throw new NotSupportedException($"RowWriter cannot insert {type.Name}: inheritance, shadow or computed properties, " +
                    $"owned or complex types and composite foreign keys are not supported ({string.Join(", ", unsupported)}).");
            }
            var generated = entityType.FindPrimaryKey() is { Properties: [{ ValueGenerated: ValueGenerated.OnAdd } single] } ? single : null;
            var sql = db.GetService<ISqlGenerationHelper>();
            var columns = entityType.GetProperties().Where(p => p != generated)
                .Select((p, i) => new Column(p, p.GetRelationalTypeMapping(), sql.GenerateParameterName("p" + i.ToString(CultureInfo.InvariantCulture)),
                    sql.DelimitIdentifier(p.GetColumnName(store)!)))
                .ToList();
            var text = $"INSERT INTO {sql.DelimitIdentifier(name, schema)} ({string.Join(", ", columns.Select(c => c.Quoted))}) " +
                $"VALUES ({string.Join(", ", columns.Select(c => c.Parameter))})" +
                (generated is null ? "" : $" RETURNING {sql.DelimitIdentifier(generated.GetColumnName(store)!)}");
            return new Table
            {
                Name = name,
                Sql = text,
                QuotedName = sql.DelimitIdentifier(name, schema),
                QuotedKey = generated is null ? "" : sql.DelimitIdentifier(generated.GetColumnName(store)!),
                ConcurrencyTokens = [.. columns.Select((c, i) => (c, i)).Where(x => x.c.Property.IsConcurrencyToken).Select(x => x.i)],
                GeneratedKey = generated,
                Columns = columns,
                Principals = [.. entityType.GetNavigations().Where(n => n.IsOnDependent).Select(n => (n, n.ForeignKey))],
                Dependents = [.. entityType.GetNavigations().Where(n => !n.IsOnDependent).Select(n => (n, n.ForeignKey))],
            };
        }

        /// <summary>Sets a key or foreign key on the object, through its backing field as EF Core does.</summary>
        public static void Set(IProperty property, object entity, object? value)
        {
            if (property.FieldInfo is { } field)
            {
                field.SetValue(entity, value);
            }
            else if (property.PropertyInfo is { } clrProperty)
            {
                clrProperty.SetValue(entity, value, BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance, null, null, CultureInfo.InvariantCulture);
            }
            else
            {
                throw new NotSupportedException($"{property.DeclaringType.DisplayName()}.{property.Name} has no field or property to set.");
            }
        }
    }
}
