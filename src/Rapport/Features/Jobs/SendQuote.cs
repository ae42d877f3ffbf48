namespace Rapport.Features.Jobs;

/// <summary>Sends a draft quote to the customer: it appears in their portal and, when a mailbox can send, they get a mail with a link.</summary>
public sealed class SendQuote(UpdateJob update, JobNotice notice)
{
    public sealed record Result(QuoteDetails Quote, bool Mailed);

    public async Task<Result?> HandleAsync(long jobId, long quoteId, Tickets.Actor actor, CancellationToken ct)
    {
        var quote = await update.HandleAsync(jobId, actor, (job, clock) => job.SendQuote(quoteId, clock.Today, clock.Now), ct);
        if (quote is null)
        {
            return null;
        }
        var total = Money.Format(quote.Totals.Total, quote.Currency);
        var mailed = await notice.SendAsync(jobId, $"Your quote: {total}", (business, link) => $"""
            Here is our quote for your request: {total}, work starting {quote.PromisedStartOn:d MMMM yyyy} and delivered by {quote.PromisedDeliveryOn:d MMMM yyyy}.
            It is valid until {quote.ValidUntil:d MMMM yyyy}. You can read it, print it, and approve or decline it here:

            {link}

            Nothing is billed beyond what you approve. If anything changes, we will ask you first.
            """, ct);
        return new Result(JobViews.ToDetails(quote), mailed);
    }
}
