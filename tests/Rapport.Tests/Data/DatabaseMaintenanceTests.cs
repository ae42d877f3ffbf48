using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rapport.Data;
using Rapport.Features.ApiTokens;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Data;

public abstract class DatabaseMaintenanceTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task RunOnce_ForgetsIdempotencyKeysOlderThanADay_AndKeepsRecentOnes()
    {
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var oldKey = Guid.NewGuid().ToString();
        var newKey = Guid.NewGuid().ToString();
        object Body() => new { subject = "Maintenance", customer = new { email = $"test+{Guid.NewGuid():N}@example.com" }, message = new { text = "Hi" } };
        await (await client.PostJsonAsync("/api/v1/tickets", Body(), r => r.Headers.Add("Idempotency-Key", oldKey))).ShouldHaveStatusAsync(HttpStatusCode.Created);
        App.Time.Advance(TimeSpan.FromHours(25));
        await (await client.PostJsonAsync("/api/v1/tickets", Body(), r => r.Headers.Add("Idempotency-Key", newKey))).ShouldHaveStatusAsync(HttpStatusCode.Created);

        var maintenance = App.Services.GetServices<IHostedService>().OfType<DatabaseMaintenance>().Single();
        await maintenance.RunOnceAsync(Ct);

        await using var db = App.CreateDbContext();
        var keys = await db.IdempotencyRecords.Select(r => r.Key).ToListAsync(Ct);
        keys.ShouldContain(newKey);
        keys.ShouldNotContain(oldKey);
        (await db.Tickets.CountAsync(Ct)).ShouldBe(2);
    }
}

public sealed class DatabaseMaintenanceTests_Sqlite(SqliteRapportFactory app) : DatabaseMaintenanceTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class DatabaseMaintenanceTests_Postgres(PostgresRapportFactory app) : DatabaseMaintenanceTests(app), IClassFixture<PostgresRapportFactory>;
