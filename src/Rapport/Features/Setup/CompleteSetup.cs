using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Settings;

namespace Rapport.Features.Setup;

/// <summary>First run: creates the roles, the owner account and the business profile. Refused once an owner exists.
/// Shared by the setup page and the `setup` command.</summary>
public sealed class CompleteSetup(UserManager<Agent> users, RoleManager<IdentityRole<int>> roles, RapportDb db, TimeProvider time)
{
    private static readonly SemaphoreSlim Once = new(1, 1);

    /// <param name="PublicUrl">The address customers reach the desk at (the base of links in mail); the command line may leave it for Settings.</param>
    public sealed record Request(string Email, string Password, string OwnerName, string BusinessName, string TimeZone, string? PublicUrl = null);

    public sealed record Result(bool Succeeded, IReadOnlyList<string> Errors, Agent? Owner = null);

    public async Task<bool> HasOwnerAsync(CancellationToken ct) =>
        await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where r.Name == AgentRoles.Owner select ur).AnyAsync(ct);

    public async Task<Result> HandleAsync(Request request, CancellationToken ct)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(request.BusinessName))
        {
            errors.Add("Enter your business's name.");
        }
        if (!BusinessProfile.IsKnownTimeZone(request.TimeZone))
        {
            errors.Add($"'{request.TimeZone}' is not an IANA time zone (for example Europe/Berlin or America/New_York).");
        }
        if (request.PublicUrl is not null && !PublicAddress.TryNormalize(request.PublicUrl, out _, out var urlError))
        {
            errors.Add(urlError);
        }
        if (!Customers.CustomerEmail.IsValid(request.Email))
        {
            errors.Add($"'{request.Email}' is not an email address.");
        }
        if (errors.Count > 0)
        {
            return new Result(false, errors);
        }
        await Once.WaitAsync(ct);
        try
        {
            if (await HasOwnerAsync(ct))
            {
                return new Result(false, ["Rapport is already set up: an owner account exists. Sign in instead."]);
            }
            await EnsureRolesAsync(roles);
            var now = time.GetUtcNow().UtcDateTime;
            var owner = new Agent
            {
                UserName = request.Email.Trim(),
                Email = request.Email.Trim(),
                EmailConfirmed = true,
                DisplayName = string.IsNullOrWhiteSpace(request.OwnerName) ? request.Email.Split('@')[0] : request.OwnerName.Trim(),
                CreatedAt = now,
            };
            var created = await users.CreateAsync(owner, request.Password);
            if (!created.Succeeded)
            {
                return new Result(false, created.Errors.Select(e => e.Description).ToList());
            }
            await users.AddToRoleAsync(owner, AgentRoles.Owner);
            var profile = await db.BusinessProfiles.FirstOrDefaultAsync(b => b.Id == BusinessProfile.SingletonId, ct);
            if (profile is null)
            {
                profile = BusinessProfile.Create(request.BusinessName, request.TimeZone, now);
                db.BusinessProfiles.Add(profile);
            }
            else
            {
                profile.Update(request.BusinessName, request.TimeZone, now);
            }
            if (request.PublicUrl is not null)
            {
                profile.SetPublicUrl(request.PublicUrl, now);
            }
            await db.SaveChangesAsync(ct);
            return new Result(true, [], owner);
        }
        finally
        {
            Once.Release();
        }
    }

    public static async Task EnsureRolesAsync(RoleManager<IdentityRole<int>> roles)
    {
        foreach (var role in AgentRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                await roles.CreateAsync(new IdentityRole<int>(role));
            }
        }
    }
}

/// <summary>The one-time link printed at start-up while no owner exists. Knowing it is what lets a person
/// create the owner account, so a desk reachable from the network cannot be claimed by a stranger.</summary>
public sealed class SetupLink
{
    public string Token { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public bool Matches(string? token) =>
        token is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(token), System.Text.Encoding.ASCII.GetBytes(Token));
}
