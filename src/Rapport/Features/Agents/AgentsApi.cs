using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Infrastructure;

namespace Rapport.Features.Agents;

public static class AgentsApi
{
    public sealed record AgentInfo(int Id, string Name, string Email, IReadOnlyList<string> Roles, bool IsActive);

    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder app)
    {
        var agents = app.MapGroup("/api/v1/agents").WithTags("Agents").RequireAuthorization(Policies.Read);
        agents.MapGet("/", ListAsync).WithSummary("The team: who can own tickets and customers");
        app.MapPut("/api/v1/agents/{id:int}/availability", PutAvailabilityAsync).WithTags("Agents").RequireAuthorization(Policies.Write)
            .WithSummary("Set an agent away until an instant, and their backup (owners for anyone; agents for themselves)");
        return app;
    }

    private static async Task<Ok<List<AgentInfo>>> ListAsync(RapportDb db, CancellationToken ct)
    {
        var agents = await db.Users.AsNoTracking().OrderBy(a => a.DisplayName).ThenBy(a => a.Id)
            .Select(a => new
            {
                a.Id, a.DisplayName, a.Email, a.IsActive,
                Roles = (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == a.Id select r.Name).ToList(),
            })
            .ToListAsync(ct);
        return TypedResults.Ok(agents.Select(a => new AgentInfo(a.Id, a.DisplayName, a.Email ?? "", a.Roles.OfType<string>().ToList(), a.IsActive)).ToList());
    }

    private static async Task<Results<NoContent, ValidationProblem, NotFound>> PutAvailabilityAsync(int id, SetAvailability.Request request,
        SetAvailability availability, ClaimsPrincipal user, CancellationToken ct)
    {
        var (found, errors) = await availability.HandleAsync(id, request, user.ToActor(), ct);
        return !found ? TypedResults.NotFound() : errors is null ? TypedResults.NoContent() : TypedResults.ValidationProblem(errors);
    }
}
