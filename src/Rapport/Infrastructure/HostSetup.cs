using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Rapport.Data;

namespace Rapport.Infrastructure;

public static class HostSetup
{
    /// <summary>Logs go to stdout as JSON lines (Logging:Console:FormatterName "simple" for humans).
    /// Admin commands keep stdout for their output and log to stderr.</summary>
    public static IHostApplicationBuilder AddRapportLogging(this IHostApplicationBuilder builder, bool isCommand)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o =>
        {
            o.FormatterName ??= ConsoleFormatterNames.Json;
            if (isCommand)
            {
                o.LogToStandardErrorThreshold = LogLevel.Trace;
            }
        });
        if (isCommand)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        }
        return builder;
    }

    public static async Task MigrateOnStartupAsync(this WebApplication app)
    {
        var database = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        app.Logger.LogInformation("Rapport keeps its data in {DataDirectory} (database: {Provider})",
            app.Services.GetRequiredService<IOptions<DataOptions>>().Value.FullPath, database.Provider);
        if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStartup)
        {
            await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(app.Lifetime.ApplicationStopping);
        }
        await app.Services.GetRequiredService<KeyRingStartup>().RunAsync(app.Lifetime.ApplicationStopping);
    }
}
