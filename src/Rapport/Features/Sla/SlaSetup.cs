namespace Rapport.Features.Sla;

public static class SlaSetup
{
    /// <summary>The business's clock and targets, routing new tickets to their owner, the watch that warns and escalates,
    /// and the acknowledgements. <c>Sla:Background=false</c> leaves the watch and the acknowledgements to be run on demand
    /// (tests do).</summary>
    public static IHostApplicationBuilder AddSla(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SlaClock>();
        builder.Services.AddSingleton<SlaSettings>();
        builder.Services.AddSingleton<OwnerRouting>();
        builder.Services.AddSingleton<SlaWatch>();
        builder.Services.AddSingleton<Acknowledgements>();
        if (builder.Configuration.GetValue("Sla:Background", true))
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<SlaWatch>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Acknowledgements>());
        }
        return builder;
    }
}
