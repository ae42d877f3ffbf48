using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.ApiTokens;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Tickets;

/// <summary>Two app instances on one PostgreSQL database: a ticket created through one reaches the other's live screens.
/// (With SQLite there is one instance, so this runs on PostgreSQL only.)</summary>
public sealed class TicketChangeRelayTests_Postgres(PostgresRapportFactory app) : DatabaseTests(app), IClassFixture<PostgresRapportFactory>
{
    [Fact]
    public async Task CreateOnOneInstance_IsHeardOnTheOther()
    {
        await using var other = App.WithWebHostBuilder(_ => { });
        using var otherClient = other.CreateClient();
        var heard = new TaskCompletionSource<TicketChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        other.Services.GetRequiredService<TicketChanges>().Changed += change => heard.TrySetResult(change);
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        // The other instance's relay needs a moment to start listening.
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);

        var response = await client.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "Relayed",
            customer = new { email = $"relay+{Guid.NewGuid():N}@example.org" },
            message = new { text = "Hello from instance one" },
        });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var ticket = await response.ReadAsync<TicketDetails>();

        var change = await heard.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        change.TicketId.ShouldBe(ticket.Id);
        change.Kind.ShouldBe(TicketChangeKind.Created);
    }
}
