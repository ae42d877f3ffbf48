namespace Rapport.Features.Jobs;

public enum CommitmentKind { Start, Delivery }

public enum CommitmentStatus { Pending, Kept, Broken, Superseded }

/// <summary>A dated promise made to the customer by an approved quote or change order. A small stand-in for the promise
/// ledger: settled when the job completes, kept when the work started (or was delivered) on or before the day.</summary>
public sealed class JobCommitment
{
    private JobCommitment() { }

    public long Id { get; private set; }
    public long JobId { get; private set; }
    public CommitmentKind Kind { get; private set; }
    public DateOnly DueOn { get; private set; }
    /// <summary>What made the promise ("quote v2", "change order 1").</summary>
    public string Source { get; private set; } = "";
    public CommitmentStatus Status { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public DateTime? SettledAt { get; private set; }
    /// <summary>The day the work started or was delivered, in the business's time zone.</summary>
    public DateOnly? MetOn { get; private set; }
    /// <summary>The same commitment in the promise ledger, where it counts in the kept-rate and reminds its agent.</summary>
    public long? PromiseId { get; private set; }
    internal Promises.Promise? Promise { get; private set; }

    internal void Track(Promises.Promise promise) => Promise = promise;

    internal static JobCommitment Create(CommitmentKind kind, DateOnly dueOn, string source, DateTime now) =>
        new() { Kind = kind, DueOn = dueOn, Source = source, Status = CommitmentStatus.Pending, CreatedAt = now };

    internal void Supersede(DateTime now)
    {
        Status = CommitmentStatus.Superseded;
        SettledAt = now;
    }

    /// <summary>At completion: a start promise is met on the day work started, a delivery promise on the day of completion.</summary>
    internal void Settle(DateOnly startedOn, DateOnly deliveredOn, DateTime now)
    {
        var met = Kind == CommitmentKind.Start ? startedOn : deliveredOn;
        MetOn = met;
        Status = met <= DueOn ? CommitmentStatus.Kept : CommitmentStatus.Broken;
        SettledAt = now;
    }
}
