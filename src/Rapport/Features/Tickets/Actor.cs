using System.Globalization;
using System.Security.Claims;
using Rapport.Features.Agents;
using Rapport.Infrastructure;

namespace Rapport.Features.Tickets;

/// <summary>Who does something (an agent, an API token acting for its creator, a customer, or the app itself) and the
/// most they were granted. An agent's or a token's actor is made only from an authenticated principal (<see cref="Of"/>),
/// so no page or endpoint can grant more than the sign-in did; use cases then check the agent's current standing through
/// <see cref="AgentAccess"/>. The default actor may do nothing. See docs/decisions/0051-use-cases-check-the-actor.md.
/// An actor also carries the channel the change comes through (<see cref="Via"/>), set where the request enters the app,
/// so every event it records says how the change was made (docs/decisions/0058).</summary>
public readonly record struct Actor
{
    private Actor(int? agentId, int? tokenId, long? customerId, Access access, ChangeChannel via)
    {
        AgentId = agentId;
        TokenId = tokenId;
        CustomerId = customerId;
        Access = access;
        Via = via;
    }

    public int? AgentId { get; }

    public int? TokenId { get; }

    public long? CustomerId { get; }

    /// <summary>The most this actor may do: the role the sign-in carried, or the token's scope.</summary>
    public Access Access { get; }

    /// <summary>The channel the change comes through.</summary>
    public ChangeChannel Via { get; }

    /// <summary>The app itself on its own account: background work and the command line.</summary>
    public static Actor System { get; } = new(null, null, null, Access.System, ChangeChannel.System);

    /// <summary>The app filing incoming mail (a new ticket, a note about where a message went).</summary>
    public static Actor MailIntake { get; } = new(null, null, null, Access.System, ChangeChannel.Email);

    /// <summary>The app opening a ticket for a visitor of the public contact form, who is not signed in.</summary>
    public static Actor ContactForm { get; } = new(null, null, null, Access.System, ChangeChannel.ContactForm);

    /// <summary>A customer, writing in the portal or by email. Only use cases made for customers accept one, and only for
    /// their own tickets.</summary>
    public static Actor Customer(long customerId, ChangeChannel via) => via is ChangeChannel.Portal or ChangeChannel.Email
        ? new(null, null, customerId, Access.None, via)
        : throw new ArgumentOutOfRangeException(nameof(via), via, "A customer acts in the portal or by email.");

    /// <summary>An agent named as the author of a change by code that does not act for them (the demo seed, entity
    /// tests). It may do nothing through a use case.</summary>
    public static Actor ForHistory(int agentId) => new(agentId, null, null, Access.None, ChangeChannel.System);

    /// <summary>The caller behind an authenticated principal: a signed-in agent with their role, or an API token (acting
    /// for its creator) with its scope. Anyone else may do nothing.</summary>
    public static Actor Of(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return default;
        }
        if (IntClaim(user, RapportClaims.TokenId) is { } tokenId)
        {
            var scope = user.HasClaim(RapportClaims.Scope, RapportClaims.WriteScope) ? Access.Write
                : user.HasClaim(RapportClaims.Scope, RapportClaims.ReadScope) ? Access.Read
                : Access.None;
            return new Actor(IntClaim(user, RapportClaims.ActingForAgentId), tokenId, null, scope, ChangeChannel.Api);
        }
        if (IntClaim(user, ClaimTypes.NameIdentifier) is not { } agentId)
        {
            return default;
        }
        var role = user.IsInRole(AgentRoles.Owner) ? Access.Owner
            : user.IsInRole(AgentRoles.Agent) ? Access.Write
            : user.IsInRole(AgentRoles.ReadOnly) ? Access.Read
            : Access.None;
        // A signed-in agent's cookie session is the agent app, also when the app's pages call the API with it.
        return new Actor(agentId, null, null, role, ChangeChannel.AgentApp);
    }

    private static int? IntClaim(ClaimsPrincipal user, string type) =>
        int.TryParse(user.FindFirstValue(type), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
