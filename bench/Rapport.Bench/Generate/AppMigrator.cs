using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Rapport.Bench.Generate;

/// <summary>Runs the app's own `migrate` command, so the schema is exactly what the app would create.</summary>
internal static class AppMigrator
{
    public static void Migrate(string appDll, string provider, string connectionString)
    {
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { appDll, "migrate" }, RedirectStandardOutput = false };
        start.Environment["Database__Provider"] = provider == "sqlite" ? "Sqlite" : "Postgres";
        start.Environment["ConnectionStrings__Rapport"] = connectionString;
        if (provider == "sqlite")
        {
            var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
            start.Environment["Data__Directory"] = Path.GetDirectoryName(Path.GetFullPath(file));
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`dotnet {appDll} migrate` failed with exit code {process.ExitCode}.");
        }
    }
}
