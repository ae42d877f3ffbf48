namespace Rapport.Features.Notifications;

/// <summary>Within one browser tab (a scoped service lives as long as its circuit): tells the notification bell to count
/// again when the agent marked notifications read on the page, which changes no ticket.</summary>
public sealed class NotificationsRead
{
    public event Action? Changed;

    public void Tell() => Changed?.Invoke();
}
