using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Rapport.Data;
using Rapport.Features.Account;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Tickets;

namespace Rapport.Infrastructure;

public static class RapportClaims
{
    public const string TokenId = "rapport:token_id";
    public const string Scope = "rapport:scope";
    public const string ActingForAgentId = "rapport:acting_for";
    /// <summary>An agent's name as colleagues and customers see it, in the sign-in cookie.</summary>
    public const string DisplayName = "rapport:display_name";
    /// <summary>"true" when the agent signs in with a second factor.</summary>
    public const string TwoFactor = "rapport:2fa";
    public const string ReadScope = "read";
    public const string WriteScope = "write";
}

public static class Policies
{
    /// <summary>Any signed-in agent or any API token, while the agent (or the token's creator) is active.</summary>
    public const string Read = "read";
    /// <summary>Owners and agents (not read-only), and write-scoped tokens whose creator may still write.</summary>
    public const string Write = "write";
    /// <summary>The business owner, signed in (tokens never manage the desk).</summary>
    public const string Owner = "owner";
}

public static class AuthSetup
{
    private const string SelectorScheme = "Rapport";

    public static IHostApplicationBuilder AddRapportAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<ApiTokenCache>();
        builder.Services
            .AddAuthentication(o =>
            {
                o.DefaultScheme = SelectorScheme;
                o.DefaultChallengeScheme = SelectorScheme;
            })
            .AddPolicyScheme(SelectorScheme, "Cookie or bearer token", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? ApiTokenAuthentication.SchemeName
                    : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthentication>(ApiTokenAuthentication.SchemeName, null)
            .AddIdentityCookies(cookies => cookies.ApplicationCookie?.Configure(o =>
            {
                o.LoginPath = "/account/login";
                o.LogoutPath = "/account/logout";
                o.AccessDeniedPath = "/account/denied";
                o.Cookie.Name = "rapport.auth";
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.ExpireTimeSpan = TimeSpan.FromDays(14);
                o.SlidingExpiration = true;
                // API callers get status codes, not a redirect to the sign-in page.
                o.Events.OnRedirectToLogin = context => StatusOrRedirect(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => StatusOrRedirect(context, StatusCodes.Status403Forbidden);
                o.Events.OnValidatePrincipal = AgentSessionCheck.ValidatePrincipalAsync;
            }));
        builder.Services.AddSingleton<AgentSessionCheck>();
        builder.Services.AddOptions<AccountOptions>().BindConfiguration(AccountOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SignInThrottle>();

        // Every request compares the cookie's security stamp (AgentSessionCheck); this fuller check also refreshes roles and name.
        builder.Services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        // Invitation links (one-time: accepting one changes the security stamp) last three days.
        builder.Services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = TimeSpan.FromDays(3));
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, AgentRevalidation>();
        builder.Services.AddSingleton<AgentAccess>();
        builder.Services.AddSingleton<ManageTeam>();
        builder.Services.AddSingleton<SetAvailability>();
        builder.Services.AddIdentityCore<Agent>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddRoles<IdentityRole<int>>()
            .AddEntityFrameworkStores<RapportDb>()
            .AddSignInManager<AgentSignInManager>()
            .AddClaimsPrincipalFactory<AgentClaimsFactory>()
            .AddDefaultTokenProviders();

        // The same rule as the use cases': what the sign-in or token grants, and what the agent may do now.
        builder.Services.AddSingleton<IAuthorizationHandler, CurrentAccessHandler>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Read, p => p.AddRequirements(new CurrentAccessRequirement(Access.Read)))
            .AddPolicy(Policies.Write, p => p.AddRequirements(new CurrentAccessRequirement(Access.Write)))
            .AddPolicy(Policies.Owner, p => p.AddRequirements(new CurrentAccessRequirement(Access.Owner)));
        return builder;
    }

    private static Task StatusOrRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>Who is calling and what their sign-in grants (see <see cref="Actor.Of"/>). A token acts for the agent who created it.</summary>
    public static Actor ToActor(this ClaimsPrincipal user) => Actor.Of(user);

    /// <summary>A stable key per caller, scoping idempotency keys.</summary>
    public static string CallerKey(this ClaimsPrincipal user) =>
        IntClaim(user, RapportClaims.TokenId) is { } tokenId ? $"token:{tokenId}" : $"agent:{IntClaim(user, ClaimTypes.NameIdentifier)}";

    private static int? IntClaim(ClaimsPrincipal user, string type) =>
        int.TryParse(user.FindFirstValue(type), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}

/// <summary>Met when the caller may do at least <see cref="Needed"/> now (see <see cref="AgentAccess.EffectiveAsync"/>).</summary>
internal sealed record CurrentAccessRequirement(Access Needed) : IAuthorizationRequirement;

internal sealed class CurrentAccessHandler(AgentAccess access) : AuthorizationHandler<CurrentAccessRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, CurrentAccessRequirement requirement)
    {
        var ct = (context.Resource as HttpContext)?.RequestAborted ?? CancellationToken.None;
        if (await access.EffectiveAsync(context.User.ToActor(), ct) >= requirement.Needed)
        {
            context.Succeed(requirement);
        }
    }
}

/// <summary>Puts the agent's display name into the sign-in cookie, so pages can greet without a query.</summary>
internal sealed class AgentClaimsFactory(UserManager<Agent> users, RoleManager<IdentityRole<int>> roles, Microsoft.Extensions.Options.IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<Agent, IdentityRole<int>>(users, roles, options)
{
    protected override async Task<System.Security.Claims.ClaimsIdentity> GenerateClaimsAsync(Agent user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new System.Security.Claims.Claim(RapportClaims.DisplayName, user.DisplayName));
        identity.AddClaim(new System.Security.Claims.Claim(RapportClaims.TwoFactor, user.TwoFactorEnabled ? "true" : "false"));
        return identity;
    }
}
