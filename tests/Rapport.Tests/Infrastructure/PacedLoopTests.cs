using Microsoft.Extensions.Time.Testing;
using Rapport.Data;
using Rapport.Infrastructure;

namespace Rapport.Tests.Infrastructure;

/// <summary>The background loop every service runs (docs/decisions/0062), on a fake clock: passes keep coming after a
/// failure, a wake-up during a pass is not lost, and stopping ends the loop quietly wherever it is.</summary>
public sealed class PacedLoopTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task RunAsync_OnATimer_ReportsAFailedPassAndRunsTheNextAtTheNextTick()
    {
        var clock = new FakeTimeProvider();
        var passes = 0;
        var failures = new List<Exception>();
        using var stop = new CancellationTokenSource();

        var loop = PacedLoop.RunAsync(new Pacing(clock, Interval), _ =>
        {
            if (Interlocked.Increment(ref passes) == 1)
            {
                throw new InvalidOperationException("first pass fails");
            }
            return Task.CompletedTask;
        }, e => { lock (failures) { failures.Add(e); } }, stop.Token);

        await Wait.UntilAsync(() => Volatile.Read(ref passes) == 1, "the first pass, at once");
        await Wait.UntilAsync(() =>
        {
            clock.Advance(Interval);
            return Volatile.Read(ref passes) >= 2;
        }, "the next pass at the next tick");
        await stop.CancelAsync();
        await loop;

        failures.ShouldHaveSingleItem().Message.ShouldBe("first pass fails");
    }

    [Fact]
    public async Task RunAsync_Woken_RunsAgainAtAPulse_EvenOneDuringThePass_WithoutWaitingForThePoll()
    {
        // The clock never moves: only a pulse can start another pass.
        var clock = new FakeTimeProvider();
        var signal = new CommitSignal();
        var passes = 0;
        using var stop = new CancellationTokenSource();

        var loop = PacedLoop.RunAsync(new Pacing(clock, TimeSpan.FromDays(1)) { Wake = () => signal.Next }, _ =>
        {
            if (Interlocked.Increment(ref passes) == 1)
            {
                // A commit while the first pass reads.
                signal.Pulse();
            }
            return Task.CompletedTask;
        }, e => throw e, stop.Token);

        await Wait.UntilAsync(() => Volatile.Read(ref passes) >= 2, "a second pass for the pulse during the first");
        var seen = Volatile.Read(ref passes);
        signal.Pulse();
        await Wait.UntilAsync(() => Volatile.Read(ref passes) > seen, "a pass for the pulse after it");
        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task RunAsync_StoppedDuringAPassOrAWait_EndsQuietly()
    {
        var clock = new FakeTimeProvider();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var inPass = new CancellationTokenSource();
        var duringPass = PacedLoop.RunAsync(new Pacing(clock, Interval), async ct =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, clock, ct);
        }, e => throw e, inPass.Token);
        await started.Task;
        await inPass.CancelAsync();
        await duringPass;

        var passes = 0;
        using var inWait = new CancellationTokenSource();
        var duringWait = PacedLoop.RunAsync(new Pacing(clock, Interval) { Wake = () => new CommitSignal().Next, MinimumInterval = Interval },
            _ => { Interlocked.Increment(ref passes); return Task.CompletedTask; }, e => throw e, inWait.Token);
        await Wait.UntilAsync(() => Volatile.Read(ref passes) == 1, "the first pass");
        await inWait.CancelAsync();
        await duringWait;

        duringPass.IsCompletedSuccessfully.ShouldBeTrue();
        duringWait.IsCompletedSuccessfully.ShouldBeTrue();
    }
}
