using MailKit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rapport.Data;
using Rapport.Infrastructure;

namespace Rapport.Features.Mail;

/// <summary>Keeps every enabled mailbox read: one loop per mailbox that syncs, then waits in IMAP IDLE until the
/// server reports new mail (or at most <see cref="IdleLimit"/>, below the 29 minutes servers allow), or, where
/// the server has no IDLE or the last run failed, waits <see cref="MailOptions.PollInterval"/>.</summary>
public sealed partial class MailboxReader(IDbContextFactory<RapportDb> contexts, SyncMailbox sync, MailConnections connections,
    IOptions<MailOptions> options, TimeProvider time, ILogger<MailboxReader> logger) : BackgroundService
{
    public static readonly TimeSpan IdleLimit = TimeSpan.FromMinutes(9);

    private readonly Dictionary<int, Task> _loops = [];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => options.Value.BackgroundSync
        ? PacedLoop.RunAsync(new Pacing(time, options.Value.PollInterval), StartLoopsAsync, LogSupervisorFailed, stoppingToken)
        : Task.CompletedTask;

    /// <summary>Starts a loop for each enabled mailbox that has none running (a new one, or one whose loop ended).</summary>
    private async Task StartLoopsAsync(CancellationToken stoppingToken)
    {
        await using var db = await contexts.CreateDbContextAsync(stoppingToken);
        var ids = await db.Mailboxes.AsNoTracking().Where(m => m.Enabled && m.ImapHost != null).Select(m => m.Id).ToListAsync(stoppingToken);
        foreach (var id in ids.Where(id => !_loops.TryGetValue(id, out var loop) || loop.IsCompleted))
        {
            _loops[id] = Task.Run(() => LoopAsync(id, stoppingToken), stoppingToken);
        }
    }

    private async Task LoopAsync(int mailboxId, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using (var db = await contexts.CreateDbContextAsync(ct))
                {
                    if (!await db.Mailboxes.AnyAsync(m => m.Id == mailboxId && m.Enabled && m.ImapHost != null, ct))
                    {
                        return;
                    }
                }
                var summary = await sync.RunOnceAsync(mailboxId, ct);
                if (summary.Error is null && summary.IdleSupported)
                {
                    await IdleAsync(mailboxId, ct);
                }
                else
                {
                    await Task.Delay(options.Value.PollInterval, time, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogLoopFailed(mailboxId, e);
                await Task.Delay(options.Value.PollInterval, time, ct);
            }
        }
    }

    private async Task IdleAsync(int mailboxId, CancellationToken ct)
    {
        Mailbox mailbox;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            mailbox = await db.Mailboxes.AsNoTracking().FirstAsync(m => m.Id == mailboxId, ct);
        }
        using var client = await connections.OpenImapAsync(mailbox, ct);
        var folder = await client.GetFolderAsync(mailbox.ImapFolder, ct);
        await folder.OpenAsync(FolderAccess.ReadOnly, ct);
        using var done = new CancellationTokenSource(IdleLimit, time);
        folder.CountChanged += (_, _) => done.Cancel();
        await client.IdleAsync(done.Token, ct);
        await client.DisconnectAsync(true, ct);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Finding the mailboxes to read failed")]
    private partial void LogSupervisorFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading mailbox {MailboxId} failed; trying again after the poll interval")]
    private partial void LogLoopFailed(int mailboxId, Exception exception);
}
