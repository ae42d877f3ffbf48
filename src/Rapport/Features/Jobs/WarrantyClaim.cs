namespace Rapport.Features.Jobs;

/// <summary>A later ticket from the same customer about a completed job, within its warranty: its work is free by default.</summary>
public sealed class WarrantyClaim
{
    private WarrantyClaim() { }

    public long Id { get; private set; }
    public long JobId { get; private set; }
    public long TicketId { get; private set; }
    public int? LinkedById { get; private set; }
    public DateTime LinkedAt { get; private set; }

    internal static WarrantyClaim Create(long ticketId, int? agentId, DateTime now) => new() { TicketId = ticketId, LinkedById = agentId, LinkedAt = now };
}
