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
}
