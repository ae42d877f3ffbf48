using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Settings;
using Rapport.Features.Setup;
using Rapport.Infrastructure;

namespace Rapport.Tests.Infrastructure;

/// <summary>The whole app on a real, empty database of one provider, migrated at start-up, with a fake clock.
/// Used as a class fixture: every test class gets its own database. See docs/decisions/0002-tests-on-both-databases.md.</summary>
public abstract class RapportFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>Where the fake clock starts: a Monday morning, with a sub-second part that both databases keep.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, 123, 456, TimeSpan.Zero);

    public const string AgentPassword = "test-password-1234";

    /// <summary>The desk's public address in tests (the server's PublicUrl setting): links in mail start with it,
    /// whatever Host a request names.</summary>
    public const string PublicUrl = "https://desk.example";

    /// <summary>The key-encryption key every test app is given (KeyProtection:Key), so that no test makes a key file in
    /// the home folder; a test of another key sets its own.</summary>
    public static readonly string KeyEncryptionKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray());

    /// <summary>The app's clock. Advance it to move time; it never moves by itself.</summary>
    public FakeTimeProvider Time { get; } = new(Start);

    public abstract DatabaseProvider Provider { get; }

    /// <summary>Why this provider cannot run here, or null when it can.</summary>
    public abstract string? SkipReason { get; }

    /// <summary>What the app logged at Warning and above.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>The current fake time as the UTC DateTime the entities take.</summary>
    public DateTime Now => Time.GetUtcNow().UtcDateTime;

    /// <summary>Moves the clock forward to the next <paramref name="day"/> at <paramref name="time"/> (UTC), always later
    /// than now: the tests of a class share the app and its clock, so each test that needs a known weekday starts its own
    /// week, untouched by the tests before it. Returns that instant.</summary>
    public DateTime AdvanceToNext(DayOfWeek day, TimeOnly time)
    {
        var now = Now;
        var next = now.Date.AddDays(((int)day - (int)now.DayOfWeek + 7) % 7).Add(time.ToTimeSpan());
        if (next <= now)
        {
            next = next.AddDays(7);
        }
        Time.Advance(next - now);
        return DateTime.SpecifyKind(next, DateTimeKind.Utc);
    }

    /// <summary>Settings for the app's database, applied as host settings so that Program sees them while it registers services;
    /// also what an app run as its own process is given (<see cref="RapportProcess"/>).</summary>
    public abstract IReadOnlyDictionary<string, string> DatabaseSettings { get; }

    /// <summary>Extra host configuration for one fixture, applied last (browser tests serve the static web assets).</summary>
    public Action<IWebHostBuilder>? ConfigureHost { get; set; }

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>Marks the running test skipped when this provider is not configured.</summary>
    public void SkipWhenUnavailable() => Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Also covers a test that reaches for the app without deriving from DatabaseTests.
        SkipWhenUnavailable();
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", Provider.ToString());
        builder.UseSetting("Database:MigrateOnStartup", "true");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Mail:BackgroundSync", "false");
        builder.UseSetting("Sla:Background", "false");
        builder.UseSetting("Search:Background", "false");
        builder.UseSetting(PublicAddress.ConfigurationKey, PublicUrl);
        foreach (var (key, value) in DatabaseSettings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton<ILoggerProvider>(Logs);
        });
        ConfigureHost?.Invoke(builder);
    }

    /// <summary>A new context on the database opened directly, without starting the app in this process: for tests of
    /// the app run as its own process (<see cref="RapportProcess"/>). Dispose it.</summary>
    public RapportDb OpenDatabase()
    {
        var settings = DatabaseSettings;
        return Provider == DatabaseProvider.Sqlite
            ? new SqliteRapportDb(new DbContextOptionsBuilder<SqliteRapportDb>()
                .UseSqlite($"Data Source={Path.Combine(settings["Data:Directory"], "rapport.db")};Default Timeout=30").Options)
            : new PostgresRapportDb(new DbContextOptionsBuilder<PostgresRapportDb>().UseNpgsql(settings["ConnectionStrings:Rapport"]).Options);
    }

    /// <summary>A new context on the app's database; dispose it.</summary>
    public RapportDb CreateDbContext() => Services.GetRequiredService<IDbContextFactory<RapportDb>>().CreateDbContext();

    /// <summary>An HttpClient that sends `Authorization: Bearer` with a new API token of this scope, made directly in the database.</summary>
    public async Task<HttpClient> CreateTokenClientAsync(ApiTokenScope scope, Agent? actingFor = null, CancellationToken ct = default)
    {
        var (_, plainText) = await CreateTokenAsync(scope, actingFor, ct);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", plainText);
        return client;
    }

    /// <summary>Saves a new API token and returns it with its plain text.</summary>
    public async Task<(ApiToken Token, string PlainText)> CreateTokenAsync(ApiTokenScope scope, Agent? actingFor = null, CancellationToken ct = default)
    {
        var created = ApiToken.Create($"test {Guid.NewGuid():N}", scope, actingFor?.Id, Now);
        await using var db = CreateDbContext();
        db.ApiTokens.Add(created.Token);
        await db.SaveChangesAsync(ct);
        return created;
    }

    /// <summary>Creates an active agent with a unique address, the password <see cref="AgentPassword"/> and one role
    /// from <see cref="AgentRoles"/>. Creates the roles first if setup has not.</summary>
    public async Task<Agent> CreateAgentAsync(string role)
    {
        if (!AgentRoles.All.Contains(role))
        {
            throw new ArgumentException($"'{role}' is not one of {string.Join(", ", AgentRoles.All)}.", nameof(role));
        }
        await using var scope = Services.CreateAsyncScope();
        await CompleteSetup.EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<int>>>());
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
        var id = Guid.NewGuid().ToString("N");
        var email = $"agent+{id}@example.com";
        var agent = new Agent
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = $"Test {role} {id[..8]}",
            CreatedAt = Now,
        };
        Succeeded(await users.CreateAsync(agent, AgentPassword));
        Succeeded(await users.AddToRoleAsync(agent, role));
        return agent;
    }

    private static void Succeeded(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Identity refused: " + string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}
