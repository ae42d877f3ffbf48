using System.Net;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Rapport.Features.Agents;
using Rapport.Features.Mail;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Mail;

/// <summary>Reading mail from a real Dovecot on loopback, started by ./test.sh, which exports RAPPORT_TEST_IMAP
/// (host:port). That Dovecot signs in any user name with <see cref="Password"/>, each user with an empty mail store,
/// so every test uses a user of its own.</summary>
public abstract class MailboxSyncTests(RapportFactory app) : DatabaseTests(app)
{
    public const string ServerVariable = "RAPPORT_TEST_IMAP";
    public const string Password = "rapport-test";

    private static readonly string? Server = Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } value ? value : null;

    private string Host => Server!.Split(':')[0];

    private int Port => int.Parse(Server!.Split(':')[1]);

    public override ValueTask InitializeAsync()
    {
        Assert.SkipWhen(Server is null, $"IMAP server not configured: set {ServerVariable} to host:port of a test Dovecot (./test.sh does)");
        return base.InitializeAsync();
    }

    private SyncMailbox Sync => App.Services.GetRequiredService<SyncMailbox>();

    private async Task<(Mailbox Mailbox, string User)> MailboxAsync(string folder = "INBOX", bool deleteAfterFetch = false, string password = Password)
    {
        var user = $"user{Guid.NewGuid():N}"[..16];
        var save = App.Services.GetRequiredService<SaveMailbox>();
        var (_, mailbox) = await save.HandleAsync(null, new SaveMailbox.Request
        {
            Name = user,
            Address = $"{user}@shop.example",
            Imap = new SaveMailbox.ImapSettings { Host = Host, Port = Port, Security = MailSecurity.None, User = user, Password = password, Folder = folder, DeleteAfterFetch = deleteAfterFetch },
        }, Actor.System, Ct);
        return (mailbox!, user);
    }

    private async Task<ImapClient> ConnectAsync(string user)
    {
        var client = new ImapClient();
        await client.ConnectAsync(Host, Port, SecureSocketOptions.None, Ct);
        await client.AuthenticateAsync(user, Password, Ct);
        return client;
    }

    private async Task AppendAsync(string user, string folder, params MimeMessage[] messages)
    {
        using var client = await ConnectAsync(user);
        var target = folder == "INBOX" ? client.Inbox : await GetOrCreateAsync(client, folder);
        foreach (var message in messages)
        {
            await target.AppendAsync(message, MessageFlags.None, Ct);
        }
        await client.DisconnectAsync(true, Ct);
    }

    private async Task<IMailFolder> GetOrCreateAsync(ImapClient client, string folder)
    {
        var root = client.GetFolder(client.PersonalNamespaces[0]);
        try
        {
            return await client.GetFolderAsync(folder, Ct);
        }
        catch (FolderNotFoundException)
        {
            return await root.CreateAsync(folder, true, Ct) ?? throw new InvalidOperationException($"Could not create {folder}.");
        }
    }

    private async Task<int> CountOnServerAsync(string user, string folder = "INBOX")
    {
        using var client = await ConnectAsync(user);
        var target = await client.GetFolderAsync(folder, Ct);
        await target.OpenAsync(FolderAccess.ReadOnly, Ct);
        var count = target.Count;
        await client.DisconnectAsync(true, Ct);
        return count;
    }

    private static MimeMessage[] Messages(int count) =>
        Enumerable.Range(1, count).Select(i => MailTestKit.Mail(MailTestKit.Unique($"c{i}"), $"Question {i}", $"Text {i}")).ToArray();

    [Fact]
    public async Task RunOnce_NewMessages_TakesEachOnceAndLeavesThemOnTheServer()
    {
        var (mailbox, user) = await MailboxAsync();
        await AppendAsync(user, "INBOX", Messages(5));

        var first = await Sync.RunOnceAsync(mailbox.Id, Ct);
        var second = await Sync.RunOnceAsync(mailbox.Id, Ct);
        await AppendAsync(user, "INBOX", Messages(2));
        var third = await Sync.RunOnceAsync(mailbox.Id, Ct);

        first.Error.ShouldBeNull();
        first.Taken.ShouldBe(5);
        first.IdleSupported.ShouldBeTrue();
        second.Taken.ShouldBe(0);
        third.Taken.ShouldBe(2);
        await using var db = App.CreateDbContext();
        var lines = await db.InboundMail.AsNoTracking().Where(m => m.MailboxId == mailbox.Id).OrderBy(m => m.Uid).ToListAsync(Ct);
        lines.Select(l => l.Uid).ShouldBe([1, 2, 3, 4, 5, 6, 7]);
        lines.ShouldAllBe(l => l.Outcome == InboundOutcome.Ticket && l.Folder == "INBOX" && l.UidValidity > 0);
        (await CountOnServerAsync(user)).ShouldBe(7);
        var state = await db.MailboxSyncs.AsNoTracking().SingleAsync(s => s.MailboxId == mailbox.Id, Ct);
        state.LastUid.ShouldBe(7);
        state.LastError.ShouldBeNull();
    }

    [Fact]
    public async Task RunOnce_PositionLostAfterACrash_SkipsWhatTheLedgerAlreadyHas()
    {
        var (mailbox, user) = await MailboxAsync();
        await AppendAsync(user, "INBOX", Messages(3));
        await Sync.RunOnceAsync(mailbox.Id, Ct);
        await using (var db = App.CreateDbContext())
        {
            // As if the app died after committing the ledger lines but before saving the folder position.
            await db.MailboxSyncs.Where(s => s.MailboxId == mailbox.Id).ExecuteDeleteAsync(Ct);
        }
        await AppendAsync(user, "INBOX", Messages(1));

        var again = await Sync.RunOnceAsync(mailbox.Id, Ct);

        again.Taken.ShouldBe(1);
        again.Skipped.ShouldBe(3);
        await using var check = App.CreateDbContext();
        (await check.InboundMail.CountAsync(m => m.MailboxId == mailbox.Id, Ct)).ShouldBe(4);
    }

    [Fact]
    public async Task RunOnce_FolderRecreatedWithNewUidValidity_ReadsItAgainWithoutFilingTwice()
    {
        var (mailbox, user) = await MailboxAsync(folder: "Support");
        var messages = Messages(2);
        await AppendAsync(user, "Support", messages);
        await Sync.RunOnceAsync(mailbox.Id, Ct);
        using (var client = await ConnectAsync(user))
        {
            await (await client.GetFolderAsync("Support", Ct)).DeleteAsync(Ct);
            await client.DisconnectAsync(true, Ct);
        }
        await AppendAsync(user, "Support", [.. messages, .. Messages(1)]);

        var again = await Sync.RunOnceAsync(mailbox.Id, Ct);

        again.Error.ShouldBeNull();
        again.Taken.ShouldBe(3);
        await using var db = App.CreateDbContext();
        var outcomes = await db.InboundMail.AsNoTracking().Where(m => m.MailboxId == mailbox.Id).Select(m => m.Outcome).ToListAsync(Ct);
        outcomes.Count(o => o == InboundOutcome.Ticket).ShouldBe(3);
        outcomes.Count(o => o == InboundOutcome.Duplicate).ShouldBe(2);
    }

    [Fact]
    public async Task RunOnce_DeleteAfterFetch_RemovesTakenMessagesFromTheServer()
    {
        var (mailbox, user) = await MailboxAsync(deleteAfterFetch: true);
        await AppendAsync(user, "INBOX", Messages(3));

        var summary = await Sync.RunOnceAsync(mailbox.Id, Ct);

        summary.Taken.ShouldBe(3);
        (await CountOnServerAsync(user)).ShouldBe(0);
    }

    [Fact]
    public async Task RunOnce_WrongPassword_RecordsTheFailureForTheOwner()
    {
        var (mailbox, _) = await MailboxAsync(password: "wrong-password");

        var summary = await Sync.RunOnceAsync(mailbox.Id, Ct);

        summary.Error.ShouldBe($"{Host} refused the user name or password.");
        await using var db = App.CreateDbContext();
        var state = await db.MailboxSyncs.AsNoTracking().SingleAsync(s => s.MailboxId == mailbox.Id, Ct);
        state.FailingSince.ShouldBe(App.Now);
        state.LastError.ShouldBe(summary.Error);
    }

    [Fact]
    public async Task RunOnce_ThousandMessagesInterruptedHalfway_EndsWithEachExactlyOnce()
    {
        var (mailbox, user) = await MailboxAsync();
        using (var client = await ConnectAsync(user))
        {
            var batch = Messages(1000);
            await client.Inbox.AppendAsync(batch.Select(m => (IAppendRequest)new AppendRequest(m)).ToList(), Ct);
            await client.DisconnectAsync(true, Ct);
        }

        // The first run is stopped part of the way through, as a shutdown would stop it: once its first messages are
        // taken (a fixed delay is too long on a fast machine, where all 1,000 are in before it ends).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = Sync.RunOnceAsync(mailbox.Id, stop.Token);
        while (!run.IsCompleted)
        {
            await using (var watch = App.CreateDbContext())
            {
                if (await watch.InboundMail.CountAsync(m => m.MailboxId == mailbox.Id, Ct) > 0)
                {
                    await stop.CancelAsync();
                    break;
                }
            }
            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System, Ct);
        }
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
        }
        int takenFirst;
        await using (var db = App.CreateDbContext())
        {
            takenFirst = await db.InboundMail.CountAsync(m => m.MailboxId == mailbox.Id, Ct);
        }
        var rest = await Sync.RunOnceAsync(mailbox.Id, Ct);
        clock.Stop();

        takenFirst.ShouldBeLessThan(1000);
        rest.Error.ShouldBeNull();
        rest.Taken.ShouldBe(1000 - takenFirst);
        await using var check = App.CreateDbContext();
        var uids = await check.InboundMail.AsNoTracking().Where(m => m.MailboxId == mailbox.Id).Select(m => m.Uid).ToListAsync(Ct);
        uids.Count.ShouldBe(1000);
        uids.Distinct().Count().ShouldBe(1000);
        (await check.InboundMail.CountAsync(m => m.MailboxId == mailbox.Id && m.Outcome == InboundOutcome.Ticket, Ct)).ShouldBe(1000);
        TestContext.Current.TestOutputHelper?.WriteLine($"{App.Provider}: 1000 messages pulled in {clock.Elapsed.TotalSeconds:0.0} s ({1000 / clock.Elapsed.TotalSeconds:0} messages/s), {takenFirst} before the interruption");
    }

    [Fact]
    public async Task TestConnection_RealDovecot_Succeeds()
    {
        var (mailbox, _) = await MailboxAsync();
        var owner = await App.SignedInClientAsync(await App.CreateAgentAsync(AgentRoles.Owner));

        using var response = await owner.PostAsync($"/api/v1/mailboxes/{mailbox.Id}/test", null, Ct);

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var test = await response.ReadAsync<ConnectionTest>();
        test.Imap.Ok.ShouldBeTrue(test.Imap.Error);
        test.Imap.Detail!.ShouldContain("IDLE supported");
    }
}

public sealed class MailboxSyncTests_Sqlite(SqliteRapportFactory app) : MailboxSyncTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class MailboxSyncTests_Postgres(PostgresRapportFactory app) : MailboxSyncTests(app), IClassFixture<PostgresRapportFactory>;
