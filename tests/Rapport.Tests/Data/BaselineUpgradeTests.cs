using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Rapport.Features.ApiTokens;
using Rapport.Features.Customers;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Data;

/// <summary>A database made by the first baseline (committed in Data/Baseline, see its README) is brought up to date by
/// the app's start-up, and what it held reads back and takes new writes. Every migration from now on is applied on top
/// of it; a migration that breaks an existing database fails here, not at a customer's.</summary>
public abstract class BaselineUpgradeTests(RapportFactory app) : DatabaseTests(app)
{
    /// <summary>The baseline's one migration per provider: a database made by it keeps it in its history.</summary>
    private const string BaselineMigration = "_Initial";

    internal static string BaselineFile(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "Baseline", name);

    [Fact]
    public async Task StartUp_BaselineDatabase_AppliesEveryLaterMigration()
    {
        await using var db = App.CreateDbContext();

        var applied = (await db.Database.GetAppliedMigrationsAsync(Ct)).ToList();

        applied.ShouldBe(db.Database.GetMigrations().ToList());
        applied[0].ShouldEndWith(BaselineMigration);
        (await db.Database.GetPendingMigrationsAsync(Ct)).ShouldBeEmpty();
        db.Database.HasPendingModelChanges().ShouldBeFalse();
    }

    [Fact]
    public async Task Read_BaselineTicketsCustomersMessagesAndHistory_ThroughTheApi()
    {
        using var api = await App.CreateTokenClientAsync(ApiTokenScope.Read, ct: Ct);

        var tickets = await (await api.GetAsync("/api/v1/tickets?limit=100", Ct)).ReadAsync<Page<TicketSummary>>();
        var customers = await (await api.GetAsync("/api/v1/customers?email=maria.gonzalez%40example.com", Ct)).ReadAsync<Page<CustomerDetails>>();

        // The baseline's 24 (other tests of the class add their own after them).
        tickets.Items.Count(t => t.Id <= 24).ShouldBe(24);
        tickets.Items.Select(t => t.Status).Distinct().Count().ShouldBeGreaterThan(2, "the demo desk has tickets in every status");
        var maria = customers.Items.ShouldHaveSingleItem();
        maria.Name.ShouldBe("Maria Gonzalez");
        var hers = await (await api.GetAsync($"/api/v1/tickets?customerId={maria.Id}", Ct)).ReadAsync<Page<TicketSummary>>();
        var ticket = await (await api.GetAsync($"/api/v1/tickets/{hers.Items[0].Id}", Ct)).ReadAsync<TicketDetails>();
        ticket.Customer.Id.ShouldBe(maria.Id);
        ticket.Messages.ShouldNotBeEmpty();
        ticket.Messages[0].Text.ShouldNotBeNullOrWhiteSpace();
        var history = await (await api.GetAsync($"/api/v1/tickets/{ticket.Id}/events", Ct)).ReadAsync<List<TicketEventDetails>>();
        history[0].Kind.ShouldBe(TicketEventKind.Created);
        history[0].Via.ShouldBe(ChangeChannel.System);
    }

    [Fact]
    public async Task SignIn_BaselineOwner_WithThePasswordSetUpThen()
    {
        using var browser = new Browser(App);

        var signedIn = await browser.SignInAsync("owner@baseline.example", "baseline-password-1234");

        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect, await Browser.AlertAsync(signedIn) ?? "");
        browser.HasAgentCookie.ShouldBeTrue();
    }

    [Fact]
    public async Task Write_OnTopOfTheBaseline_NewTicketsAndNotesAreWritten()
    {
        using var api = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        long before, open;
        await using (var db = App.CreateDbContext())
        {
            before = await db.Tickets.MaxAsync(t => t.Id, Ct);
            open = await db.Tickets.Where(t => t.Status == TicketStatus.Open).OrderBy(t => t.Id).Select(t => t.Id).FirstAsync(Ct);
        }

        var created = await api.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "After the upgrade",
            customer = new { email = "maria.gonzalez@example.com" },
            message = new { text = "Still there?" },
        });
        var note = await api.PostJsonAsync($"/api/v1/tickets/{open}/notes", new { text = "Checked after the upgrade." });

        await created.ShouldHaveStatusAsync(HttpStatusCode.Created);
        await note.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var ticket = await created.ReadAsync<TicketDetails>();
        ticket.Id.ShouldBeGreaterThan(before);
        ticket.Customer.Name.ShouldBe("Maria Gonzalez");
    }
}

/// <summary>The app on a copy of the committed SQLite baseline.</summary>
public sealed class SqliteBaselineFactory : SqliteRapportFactory
{
    protected override Task PrepareDatabaseAsync()
    {
        File.Copy(BaselineUpgradeTests.BaselineFile("sqlite.db"), DatabaseFile);
        return Task.CompletedTask;
    }
}

/// <summary>The app on a database restored from the committed PostgreSQL baseline (a plain pg_dump).</summary>
public sealed class PostgresBaselineFactory : PostgresRapportFactory
{
    protected override async Task CreateDatabaseAsync()
    {
        await CreateEmptyDatabaseAsync();
        // The dump is plain SQL; the psql meta-commands newer pg_dump versions add (\restrict) were taken out.
        var dump = await File.ReadAllTextAsync(BaselineUpgradeTests.BaselineFile("postgres.sql"), Encoding.UTF8);
        var restore = new NpgsqlConnectionStringBuilder(DatabaseConnectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(restore.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(dump, connection);
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class BaselineUpgradeTests_Sqlite(SqliteBaselineFactory app) : BaselineUpgradeTests(app), IClassFixture<SqliteBaselineFactory>;

public sealed class BaselineUpgradeTests_Postgres(PostgresBaselineFactory app) : BaselineUpgradeTests(app), IClassFixture<PostgresBaselineFactory>;
