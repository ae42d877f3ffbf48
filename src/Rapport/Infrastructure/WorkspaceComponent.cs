using Microsoft.AspNetCore.Components;
using Rapport.Features.Agents;

namespace Rapport.Infrastructure;

/// <summary>Base of the interactive workspace pages. Blazor runs an event handler on the server whatever the markup says
/// (a disabled control can be re-enabled in the browser), so the use cases decide who may act; when one refuses
/// (<see cref="NotAllowedException"/>) in any of the page's event handlers, the page says so through
/// <see cref="OnNotAllowedAsync"/> instead of the circuit failing. Handlers the browser calls through JavaScript interop
/// go through <see cref="GuardAsync"/>.</summary>
public abstract class WorkspaceComponent : ComponentBase, IHandleEvent
{
    async Task IHandleEvent.HandleEventAsync(EventCallbackWorkItem callback, object? arg)
    {
        // As ComponentBase does: render once the handler yields, and again when it is done (unless it was cancelled).
        Task? task = null;
        try
        {
            task = callback.InvokeAsync(arg);
            if (!task.IsCompleted)
            {
                StateHasChanged();
            }
            await task;
        }
        catch (NotAllowedException e)
        {
            await OnNotAllowedAsync(e.Message);
        }
        catch (OperationCanceledException) when (task?.IsCanceled == true)
        {
            return;
        }
        StateHasChanged();
    }

    /// <summary>Shows that an action was refused (and reloads what the page shows, since nothing changed).</summary>
    protected abstract Task OnNotAllowedAsync(string message);

    /// <summary>Runs an action started outside Blazor's event handling (a keyboard shortcut through JavaScript), reporting a refusal.</summary>
    protected async Task GuardAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (NotAllowedException e)
        {
            await OnNotAllowedAsync(e.Message);
        }
    }
}
