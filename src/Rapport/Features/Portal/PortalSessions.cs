using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Customers;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Features.Portal;

public sealed class PortalOptions
{
    /// <summary>How long a magic link opens the portal.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long the link on the contact form's confirmation page (one ticket only) works.</summary>
    public TimeSpan TicketLinkLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>"Send me a link" requests mailed per address in an hour; more are dropped silently.</summary>
    public int LinkRequestsPerAddress { get; set; } = 3;

    /// <summary>"Send me a link" requests taken per client IP in an hour; more are asked to wait.</summary>
    public int LinkRequestsPerIp { get; set; } = 20;
}

/// <summary>Who is looking at the portal: the customer and the link they came in by (which may limit them to one ticket).</summary>
public sealed record PortalVisitor(long CustomerId, long LinkId, long? TicketId, string CustomerName)
{
    /// <summary>The visitor as the author of what they do in the portal.</summary>
    public Actor Actor => Actor.Customer(CustomerId, ChangeChannel.Portal);
}

/// <summary>Magic links and the portal's own cookie (separate from agents' sign-in). Every request re-checks the link, so a
/// revoked or expired link ends the customer's session at once.</summary>
public sealed class PortalSessions(IDbContextFactory<RapportDb> contexts, TimeProvider time, Microsoft.Extensions.Options.IOptions<PortalOptions> options)
{
    public const string Scheme = "Portal";
    private const string LinkClaim = "rapport:portal_link";

    public async Task<string> CreateLinkAsync(long customerId, long? ticketId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var path = AddLink(db, customerId, ticketId);
        await db.SaveChangesAsync(ct);
        return path;
    }

    /// <summary>As <see cref="CreateLinkAsync"/>, in the caller's unit of work: the link works once <paramref name="db"/> commits.</summary>
    public string AddLink(RapportDb db, long customerId, long? ticketId)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var (link, secret) = PortalLink.Create(customerId, ticketId, now, ticketId is null ? options.Value.LinkLifetime : options.Value.TicketLinkLifetime);
        db.PortalLinks.Add(link);
        return "/portal/link/" + secret;
    }

    public async Task<int> RevokeAllAsync(long customerId, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.PortalLinks.Where(l => l.CustomerId == customerId && l.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.RevokedAt, now), ct);
    }

    /// <summary>Opens the portal with a link: a valid one signs the visitor in; any other answer says the link no longer works.</summary>
    public async Task<PortalLink?> RedeemAsync(string secret, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(secret) || secret.Length > 100)
        {
            return null;
        }
        var hash = PortalLink.Hash(secret);
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var link = await db.PortalLinks.FirstOrDefaultAsync(l => l.SecretHash == hash, ct);
        if (link is null || !link.IsUsable(now))
        {
            return null;
        }
        link.MarkUsed(now);
        await db.SaveChangesAsync(ct);
        return link;
    }

    /// <summary>Leaving the portal revokes the link the visitor came in by, so neither a copy of the cookie nor the link
    /// (still in the browser's history, perhaps on a shared computer) opens it again; the customer can ask for a fresh one.</summary>
    public async Task EndAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(Scheme);
        if (result.Succeeded && long.TryParse(result.Principal.FindFirstValue(LinkClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var linkId))
        {
            var now = time.GetUtcNow().UtcDateTime;
            await using var db = await contexts.CreateDbContextAsync(http.RequestAborted);
            await db.PortalLinks.Where(l => l.Id == linkId && l.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.RevokedAt, now), http.RequestAborted);
        }
        await http.SignOutAsync(Scheme);
    }

    /// <summary>The visitor behind this request, or null when there is no portal cookie or its link stopped working.</summary>
    public async Task<PortalVisitor?> VisitorAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(Scheme);
        if (!result.Succeeded || !long.TryParse(result.Principal.FindFirstValue(LinkClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var linkId))
        {
            return null;
        }
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(http.RequestAborted);
        var link = await db.PortalLinks.AsNoTracking().Include(l => l.Customer).FirstOrDefaultAsync(l => l.Id == linkId, http.RequestAborted);
        if (link is null || !link.IsUsable(now))
        {
            return null;
        }
        // A customer merged into another one follows the merge.
        var customer = link.Customer;
        return new PortalVisitor(customer.MergedIntoId ?? customer.Id, link.Id, link.TicketId, customer.Name);
    }

    public static IHostApplicationBuilder AddPortal(IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PortalOptions>().BindConfiguration("Portal");
        builder.Services.AddSingleton<PortalSessions>();
        builder.Services.AddSingleton<PortalMail>();
        builder.Services.AddSingleton<PortalLinkRequests>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PortalLinkRequests>());
        builder.Services.AddSingleton<Contact.ContactRateLimits>();
        builder.Services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "rapport.portal";
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.HttpOnly = true;
            o.LoginPath = "/portal";
            o.ExpireTimeSpan = TimeSpan.FromDays(7);
            o.SlidingExpiration = true;
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapPortal(IEndpointRouteBuilder app)
    {
        app.MapGet("/portal/link/{secret}", OpenAsync).ExcludeFromDescription();
        app.MapGet("/portal/tickets/{ticketId:long}/attachments/{id:long}", DownloadAsync).ExcludeFromDescription();
        app.MapPost("/portal/logout", async (HttpContext http, PortalSessions sessions) =>
        {
            await sessions.EndAsync(http);
            return TypedResults.LocalRedirect("/portal");
        }).RequireFormToken().ExcludeFromDescription();
        var api = app.MapGroup("/api/v1/customers/{id:long}/portal-links").WithTags("Customers").RequireAuthorization(Policies.Write);
        api.MapPost("/", CreateForCustomerAsync).WithSummary("Make a magic link into the portal for this customer (to send them yourself)");
        api.MapDelete("/", RevokeForCustomerAsync).WithSummary("Revoke every portal link of this customer; open portal sessions end at once");
        return app;
    }

    private static async Task<Results<RedirectHttpResult, ContentHttpResult>> OpenAsync(string secret, PortalSessions sessions, HttpContext http)
    {
        var link = await sessions.RedeemAsync(secret, http.RequestAborted);
        if (link is null)
        {
            await http.SignOutAsync(Scheme);
            return TypedResults.Redirect("/portal?link=expired");
        }
        var identity = new ClaimsIdentity([new Claim(LinkClaim, link.Id.ToString(CultureInfo.InvariantCulture))], Scheme);
        await http.SignInAsync(Scheme, new ClaimsPrincipal(identity));
        return TypedResults.Redirect(link.TicketId is { } ticketId ? $"/portal/tickets/{ticketId}" : "/portal");
    }

    /// <summary>An attachment of a message the customer may see (their own ticket, not an internal note).</summary>
    private static async Task<Results<FileStreamHttpResult, NotFound>> DownloadAsync(long ticketId, long id, PortalSessions sessions, RapportDb db,
        Attachments.FileStore store, HttpContext http)
    {
        var visitor = await sessions.VisitorAsync(http);
        if (visitor is null || (visitor.TicketId is { } only && only != ticketId))
        {
            return TypedResults.NotFound();
        }
        var attachment = await db.Attachments.AsNoTracking()
            .Where(a => a.Id == id && db.Messages.Any(m => m.Id == a.MessageId && m.TicketId == ticketId && m.Kind != Tickets.MessageKind.Note
                && db.Tickets.Any(t => t.Id == ticketId && t.CustomerId == visitor.CustomerId)))
            .FirstOrDefaultAsync(http.RequestAborted);
        var stream = attachment is null ? null : store.OpenRead(attachment.Sha256);
        if (attachment is null || stream is null)
        {
            return TypedResults.NotFound();
        }
        // Always a download: the bytes came from someone else and must not run as a page of ours.
        return TypedResults.File(stream, "application/octet-stream", attachment.FileName);
    }

    public sealed record PortalLinkCreated(string Url, DateTime ExpiresAt);

    private static async Task<Results<Created<PortalLinkCreated>, NotFound, ProblemHttpResult>> CreateForCustomerAsync(long id, RapportDb db, ManagePortalLinks links,
        Settings.PublicAddress publicAddress, TimeProvider time, Microsoft.Extensions.Options.IOptions<PortalOptions> options, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!await db.Customers.AnyAsync(c => c.Id == id && c.MergedIntoId == null, ct))
        {
            return TypedResults.NotFound();
        }
        // The link starts with the desk's public address, never with the Host the caller sent.
        if (await publicAddress.GetAsync(ct) is not { } baseUrl)
        {
            return NoPublicAddress();
        }
        var url = baseUrl + await links.CreateAsync(id, user.ToActor(), ct);
        return TypedResults.Created((string?)null, new PortalLinkCreated(url, time.GetUtcNow().UtcDateTime + options.Value.LinkLifetime));
    }

    internal static ProblemHttpResult NoPublicAddress() => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "The desk's public address is not set",
        detail: "Links for customers start with the address customers reach the desk at. The owner sets it in Settings (or the server's PublicUrl setting).",
        extensions: new Dictionary<string, object?> { ["code"] = "public-address-missing" });

    private static async Task<Results<Ok<RevokedLinks>, NotFound>> RevokeForCustomerAsync(long id, RapportDb db, ManagePortalLinks links, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!await db.Customers.AnyAsync(c => c.Id == id, ct))
        {
            return TypedResults.NotFound();
        }
        return TypedResults.Ok(new RevokedLinks(await links.RevokeAllAsync(id, user.ToActor(), ct)));
    }

    public sealed record RevokedLinks(int Revoked);
}
