namespace Rapport.Features.Jobs;

/// <summary>Proposes a change order and tells the customer, who approves or declines it in the portal.</summary>
public sealed class ProposeChangeOrder(UpdateJob update, JobNotice notice)
{
    public sealed record Request(IReadOnlyList<LineSpec> Lines, string Reason, DateOnly? NewStartOn, DateOnly? NewDeliveryOn);

    public sealed record Result(ChangeOrderDetails ChangeOrder, bool Mailed);

    public async Task<Result?> HandleAsync(long jobId, Request request, Tickets.Actor actor, CancellationToken ct)
    {
        var order = await update.HandleAsync(jobId, actor, (job, clock) => job.ProposeChangeOrder(request.Lines, request.Reason, request.NewStartOn, request.NewDeliveryOn, clock.Now), ct);
        if (order is null)
        {
            return null;
        }
        var difference = Money.Format(order.PriceDifference, order.Currency);
        var mailed = await notice.SendAsync(jobId, "A change to your job needs your approval", (business, link) => $"""
            The work on your request needs to change: {order.Reason}
            This changes the price by {difference}{(order.NewDeliveryOn is { } d ? $" and the delivery date to {d:d MMMM yyyy}" : "")}.
            Nothing changes unless you approve it here:

            {link}
            """, ct);
        return new Result(JobViews.ToDetails(order), mailed);
    }
}
