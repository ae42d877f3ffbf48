using Rapport.Tests.Infrastructure;

// One app per database for the whole test run; every test creates its own, uniquely named data.
[assembly: AssemblyFixture(typeof(SqliteApp))]
[assembly: AssemblyFixture(typeof(PostgresApp))]
