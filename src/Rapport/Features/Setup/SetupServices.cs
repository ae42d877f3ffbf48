using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Rapport.Features.Setup;

public static partial class SetupServices
{
    public static IHostApplicationBuilder AddSetup(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SetupLink>();
        builder.Services.AddScoped<CompleteSetup>();
        builder.Services.AddSingleton<Settings.PublicAddress>();
        builder.Services.AddSingleton<Settings.SaveBusinessProfile>();
        return builder;
    }

    /// <summary>While no owner exists, prints the one-time setup link once the server listens. The link goes to the console
    /// for the operator who started Rapport, never into a log event, which may be shipped and kept elsewhere (ADR 0050).</summary>
    public static void PrintSetupLinkWhenNeeded(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() => _ = PrintAsync(app));
    }

    private static async Task PrintAsync(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Rapport.Setup");
        try
        {
            await using var scope = app.Services.CreateAsyncScope();
            if (await scope.ServiceProvider.GetRequiredService<CompleteSetup>().HasOwnerAsync(app.Lifetime.ApplicationStopping))
            {
                return;
            }
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? "http://localhost:5080";
            var page = $"{address.Replace("://[::]", "://localhost").Replace("://0.0.0.0", "://localhost").Replace("://+", "://localhost").Replace("://*", "://localhost")}/setup";
            Console.WriteLine();
            Console.WriteLine("  Rapport is not set up yet. Open this link to create the owner account:");
            Console.WriteLine($"  {page}?token={app.Services.GetRequiredService<SetupLink>().Token}");
            Console.WriteLine();
            LogSetupPending(logger, page);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogSetupCheckFailed(logger, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rapport is not set up yet. Open {SetupPage} with the one-time link printed on the console to create the owner account")]
    private static partial void LogSetupPending(ILogger logger, string setupPage);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not check whether Rapport is set up")]
    private static partial void LogSetupCheckFailed(ILogger logger, Exception exception);
}
