using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Rapport.Infrastructure;

namespace Rapport.Features.Portal;

/// <summary>"Send me a link" requests from the portal's public page. The page only takes a permit and hands the address
/// to this queue, so it answers in the same time whether or not the address belongs to a customer (nothing is looked up
/// while the visitor waits); the mail is composed and queued here, in the background. Per address a few requests an
/// hour are mailed and the rest are dropped without saying so (so that nobody can flood a customer's mailbox or learn
/// from the answer); per client IP the page asks to wait. The queue is in memory: a request lost in a crash is asked
/// for again by its customer, who got nothing.</summary>
public sealed partial class PortalLinkRequests(PortalMail mail, IOptions<PortalOptions> options, ILogger<PortalLinkRequests> logger)
    : BackgroundService
{
    public const int Capacity = 1000;

    private readonly Channel<string> _queue = Channel.CreateBounded<string>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true,
    });

    private readonly SenderLimits _limits = new(options.Value.LinkRequestsPerAddress, options.Value.LinkRequestsPerIp);
    private int _pending;

    /// <summary>Requests taken and not yet handled (mailed, found unknown or failed).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Takes the request; false only when this client IP asked too often (which says nothing about the address).</summary>
    public bool Accept(string email, System.Net.IPAddress? ip)
    {
        switch (_limits.TryAcquire(email, ip))
        {
            case SenderLimits.Outcome.TooManyFromIp:
                return false;
            case SenderLimits.Outcome.TooManyForAddress:
                LogAddressLimited();
                return true;
        }
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(email))
        {
            Interlocked.Decrement(ref _pending);
            LogQueueFull();
        }
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var email in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await mail.SendLinkAsync(email, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(e);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    public override void Dispose()
    {
        _limits.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A portal link request was dropped: its address asked for several links within the hour")]
    private partial void LogAddressLimited();

    [LoggerMessage(Level = LogLevel.Warning, Message = "A portal link request was dropped: the queue is full")]
    private partial void LogQueueFull();

    [LoggerMessage(Level = LogLevel.Error, Message = "Mailing a portal link failed; the customer can ask again")]
    private partial void LogFailed(Exception error);
}
