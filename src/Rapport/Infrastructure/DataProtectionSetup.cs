using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Rapport.Data;

namespace Rapport.Infrastructure;

/// <summary>ASP.NET Core Data Protection for everything that uses it (sign-in cookies, antiforgery, invitation links,
/// mailbox passwords): its keys are rows in the database, so every app node shares them, and their secret part is
/// encrypted with the key-encryption key from <see cref="KeyProtectionOptions"/>, which is neither in the database nor
/// in the data directory (docs/decisions/0064).</summary>
public static class DataProtectionSetup
{
    public static IHostApplicationBuilder AddRapportDataProtection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<KeyProtectionOptions>().BindConfiguration(KeyProtectionOptions.Section);
        builder.Services.AddSingleton(sp => KeyEncryptionKey.Load(sp.GetRequiredService<IOptions<KeyProtectionOptions>>().Value));
        builder.Services.AddDataProtection().SetApplicationName("Rapport").PersistKeysToDbContext<RapportDb>();
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((options, services) =>
            options.XmlEncryptor = new KeyXmlEncryptor(services.GetRequiredService<KeyEncryptionKey>()));
        builder.Services.AddSingleton<KeyRingStartup>();
        builder.Services.AddHealthChecks().AddCheck<KeyRingHealthCheck>("data-protection-keys", tags: ["ready"]);
        return builder;
    }
}

/// <summary>One key per row; the unique name (the framework's "key-{id}") keeps two nodes importing the same old key
/// file from storing it twice, which would stop the key ring from loading.</summary>
internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> builder) => builder.HasIndex(k => k.FriendlyName).IsUnique();
}

/// <summary>Ready, or degraded (still serving) when keys in the database cannot be read with the configured
/// key-encryption key: sign-ins and mailbox passwords made with them need that key back.</summary>
internal sealed class KeyRingHealthCheck(KeyRingStartup keys) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(keys.Unreadable.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded($"{keys.Unreadable.Count} Data Protection keys were encrypted with another key-encryption key " +
                $"({string.Join(", ", keys.Unreadable.Distinct())}); configure it again (KeyProtection) to read what they protect."));
}
