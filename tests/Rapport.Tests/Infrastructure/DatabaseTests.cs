namespace Rapport.Tests.Infrastructure;

/// <summary>Base of every test class that needs the app and a database. An area's tests live in an abstract
/// class deriving from this one, and two sealed classes run them, one per provider:
/// <code>
/// public abstract class CustomerStorageTests(RapportFactory app) : DatabaseTests(app) { [Fact] … }
/// public sealed class CustomerStorageTests_Sqlite(SqliteRapportFactory app) : CustomerStorageTests(app), IClassFixture&lt;SqliteRapportFactory&gt;;
/// public sealed class CustomerStorageTests_Postgres(PostgresRapportFactory app) : CustomerStorageTests(app), IClassFixture&lt;PostgresRapportFactory&gt;;
/// </code>
/// The PostgreSQL run shows as skipped when RAPPORT_TEST_POSTGRES is not set.</summary>
public abstract class DatabaseTests(RapportFactory app) : IAsyncLifetime
{
    protected RapportFactory App { get; } = app;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual ValueTask InitializeAsync()
    {
        App.SkipWhenUnavailable();
        return ValueTask.CompletedTask;
    }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
