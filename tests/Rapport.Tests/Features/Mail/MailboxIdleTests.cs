using System.Diagnostics;
using System.Net;
using Rapport.Features.Mail;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Mail;

/// <summary>The background reader waits in IMAP IDLE: new mail is taken as it arrives, not at the next poll.</summary>
public abstract class MailboxIdleTests(RapportFactory app) : MailProcessTests(app)
{
    [Fact]
    public async Task Reader_WaitsInIdle_NewMailIsTakenAsItArrives_NotAtTheNextPoll()
    {
        var user = $"user{Guid.NewGuid():N}"[..16];
        var settings = new Dictionary<string, string>(App.DatabaseSettings)
        {
            ["Database:Provider"] = App.Provider.ToString(),
            // Ten minutes between polls: anything taken sooner came through IDLE.
            ["Mail:PollInterval"] = "00:10:00",
        };
        await CommandAsync(settings, "setup", "--email", OwnerEmail, "--password", OwnerPassword, "--business", "Idle Test Shop", "--time-zone", "Europe/Berlin");
        var cookies = new CookieContainer();
        MailboxDetails mailbox;
        // The owner adds the mailbox; the reader looks for new mailboxes at start and then only every poll interval,
        // so the app is started again to read it now.
        await using (var first = await RapportProcess.StartAsync(settings, StartTimeout, Ct))
        {
            using var owner = await SignInAsync(first, cookies);
            mailbox = await CreateMailboxAsync(owner, user);
        }
        await using var second = await RapportProcess.StartAsync(settings, StartTimeout, Ct);
        using var client = OwnerClient(second, cookies);
        await PollAsync(() => ProgressAsync(client, mailbox), p => p.PassFinished, "the first pass over the empty folder", [second]);

        var arrived = Stopwatch.StartNew();
        await AppendAsync(user, Messages().Take(3).ToList());
        await PollAsync(() => TakenAsync(client, mailbox.Name), taken => taken >= 3, "the new messages to be taken", [second]);

        arrived.Elapsed.ShouldBeLessThan(TimeSpan.FromMinutes(2), $"taken through IDLE, well before the next poll\n{Logs(second)}");
        (await ProgressAsync(client, mailbox)).LastError.ShouldBeNull();
        second.Problems.ShouldBeEmpty(Logs(second));
    }
}

public sealed class MailboxIdleTests_Sqlite(SqliteRapportFactory app) : MailboxIdleTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class MailboxIdleTests_Postgres(PostgresRapportFactory app) : MailboxIdleTests(app), IClassFixture<PostgresRapportFactory>;
