using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Infrastructure;

namespace Rapport.Features.Notifications;

/// <summary>An agent's in-app notifications (deadlines near or missed, escalations, promises due): listed and marked read.</summary>
public static class NotificationsApi
{
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<NotificationsRead>();
        return builder;
    }

    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var notifications = app.MapGroup("/api/v1/notifications").WithTags("Notifications").RequireAuthorization(Policies.Read);
        notifications.MapGet("/", NotificationsAsync).WithSummary("The caller's notifications (deadlines near or missed, escalations, promises due), newest first");
        notifications.MapPost("/{id:long}/read", ReadAsync).WithSummary("Mark one notification read");
        notifications.MapPost("/read-all", ReadAllAsync).WithSummary("Mark all of the caller's notifications read");
        return app;
    }

    public sealed record NotificationView(long Id, NotificationKind Kind, long? TicketId, string Text, DateTime CreatedAt, DateTime? ReadAt);

    public sealed record NotificationsView(int Unread, IReadOnlyList<NotificationView> Items);

    private static async Task<Results<Ok<NotificationsView>, ForbidHttpResult>> NotificationsAsync(IDbContextFactory<RapportDb> contexts, ClaimsPrincipal user,
        bool? unread, CancellationToken ct)
    {
        if (user.ToActor().AgentId is not { } agent)
        {
            return TypedResults.Forbid();
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var mine = db.Notifications.AsNoTracking().Where(n => n.AgentId == agent);
        var count = await mine.CountAsync(n => n.ReadAt == null, ct);
        var items = await (unread == true ? mine.Where(n => n.ReadAt == null) : mine).OrderByDescending(n => n.Id).Take(100)
            .Select(n => new NotificationView(n.Id, n.Kind, n.TicketId, n.Text, n.CreatedAt, n.ReadAt)).ToListAsync(ct);
        return TypedResults.Ok(new NotificationsView(count, items));
    }

    private static async Task<Results<NoContent, NotFound>> ReadAsync(long id, IDbContextFactory<RapportDb> contexts, ClaimsPrincipal user, TimeProvider time, CancellationToken ct)
    {
        var agent = user.ToActor().AgentId;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var notification = await db.Notifications.FirstOrDefaultAsync(n => n.Id == id && n.AgentId == agent, ct);
        if (notification is null)
        {
            return TypedResults.NotFound();
        }
        notification.MarkRead(time.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> ReadAllAsync(IDbContextFactory<RapportDb> contexts, ClaimsPrincipal user, TimeProvider time, CancellationToken ct)
    {
        var agent = user.ToActor().AgentId;
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.Notifications.Where(n => n.AgentId == agent && n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        return TypedResults.NoContent();
    }
}
