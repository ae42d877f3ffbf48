using Rapport.Features.Mail;

namespace Rapport.Features.Jobs;

/// <summary>Sends a draft quote to the customer: it appears in their portal and, when a mailbox can send, they get a mail
/// with a link. The quote, its link and its mail commit together: a quote is never marked sent without its mail.</summary>
public sealed class SendQuote(UpdateJob update, JobNotice notice, ReplyOutbox replies)
{
    public sealed record Result(QuoteDetails Quote, bool Mailed);

    public async Task<Result?> HandleAsync(long jobId, long quoteId, Tickets.Actor actor, CancellationToken ct)
    {
        var mailed = false;
        var quote = await update.HandleAsync(jobId, actor, (job, clock) => job.SendQuote(quoteId, clock.Today, clock.Now),
            async (db, sent, token) => mailed = await notice.QueueAsync(db, jobId, $"Your quote: {Total(sent)}", (business, link) => $"""
                Here is our quote for your request: {Total(sent)}, work starting {sent.PromisedStartOn:d MMMM yyyy} and delivered by {sent.PromisedDeliveryOn:d MMMM yyyy}.
                It is valid until {sent.ValidUntil:d MMMM yyyy}. You can read it, print it, and approve or decline it here:

                {link}

                Nothing is billed beyond what you approve. If anything changes, we will ask you first.
                """, token), ct);
        if (quote is null)
        {
            return null;
        }
        if (mailed)
        {
            replies.Notify();
        }
        return new Result(JobViews.ToDetails(quote), mailed);
    }

    private static string Total(Quote quote) => Money.Format(quote.Totals.Total, quote.Currency);
}
