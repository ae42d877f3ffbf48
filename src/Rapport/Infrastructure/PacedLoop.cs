namespace Rapport.Infrastructure;

/// <summary>How a background loop waits between its passes (<see cref="PacedLoop"/>).</summary>
/// <param name="Clock">What the waits are measured on: the machine's clock (<see cref="TimeProvider.System"/>) for waits
/// that only pace reads, the injected one for jobs whose rhythm tests move with a fake clock.</param>
/// <param name="Interval">Without <see cref="Wake"/>, the period of the passes; with it, the longest wait after a pass
/// when nothing wakes the loop (the poll, in case a wake-up was lost).</param>
public sealed record Pacing(TimeProvider Clock, TimeSpan Interval)
{
    /// <summary>Armed before each pass; when the task it returns completes (a commit, mail queued), the wait after the pass
    /// ends early, so something that happens during a pass is never missed. Null: passes keep the fixed rhythm of a
    /// <see cref="PeriodicTimer"/> (a pass every <see cref="Interval"/>, however long the last one took).</summary>
    public Func<Task>? Wake { get; init; }

    /// <summary>With <see cref="Wake"/>: the least time from the end of one pass to the start of the next, so a burst of
    /// wake-ups costs a few passes, not one each.</summary>
    public TimeSpan MinimumInterval { get; init; }

    /// <summary>After a failed pass, wait this long (not woken early) before the next; null: wait as after any pass.</summary>
    public TimeSpan? AfterFailure { get; init; }

    /// <summary>Wait one <see cref="Interval"/> before the first pass (work that is not urgent at start-up).</summary>
    public bool WaitFirst { get; init; }
}

/// <summary>The loop of the app's background services: a pass, then a wait (<see cref="Pacing"/>), until the host stops.
/// A pass that throws is reported to <c>failed</c> (each service logs it its own way) and the loop goes on, since an
/// exception leaving a <see cref="BackgroundService"/> stops the whole host; stopping ends the loop quietly, in a pass
/// or in a wait (docs/decisions/0062-one-background-loop.md).</summary>
public static class PacedLoop
{
    public static async Task RunAsync(Pacing pacing, Func<CancellationToken, Task> pass, Action<Exception> failed, CancellationToken stoppingToken)
    {
        try
        {
            if (pacing.Wake is null)
            {
                await OnTimerAsync(pacing, pass, failed, stoppingToken);
            }
            else
            {
                await WokenAsync(pacing, pacing.Wake, pass, failed, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static async Task OnTimerAsync(Pacing pacing, Func<CancellationToken, Task> pass, Action<Exception> failed, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(pacing.Interval, pacing.Clock);
        if (pacing.WaitFirst && !await timer.WaitForNextTickAsync(stoppingToken))
        {
            return;
        }
        do
        {
            if (!await PassAsync(pass, failed, stoppingToken) && pacing.AfterFailure is { } backOff)
            {
                await Task.Delay(backOff, pacing.Clock, stoppingToken);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static async Task WokenAsync(Pacing pacing, Func<Task> wake, Func<CancellationToken, Task> pass, Action<Exception> failed,
        CancellationToken stoppingToken)
    {
        if (pacing.WaitFirst)
        {
            await Task.Delay(pacing.Interval, pacing.Clock, stoppingToken);
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var woken = wake();
            if (!await PassAsync(pass, failed, stoppingToken) && pacing.AfterFailure is { } backOff)
            {
                await Task.Delay(backOff, pacing.Clock, stoppingToken);
                continue;
            }
            if (pacing.MinimumInterval > TimeSpan.Zero)
            {
                await Task.Delay(pacing.MinimumInterval, pacing.Clock, stoppingToken);
            }
            try
            {
                await woken.WaitAsync(pacing.Interval, pacing.Clock, stoppingToken);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>One pass; false when it failed (and was reported).</summary>
    private static async Task<bool> PassAsync(Func<CancellationToken, Task> pass, Action<Exception> failed, CancellationToken stoppingToken)
    {
        try
        {
            await pass(stoppingToken);
            return true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            failed(e);
            return false;
        }
    }
}
