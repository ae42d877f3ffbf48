using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Attachments;
using Rapport.Features.Customers;
using Rapport.Features.Jobs;
using Rapport.Features.Mail;
using Rapport.Features.Portal;
using Rapport.Features.Promises;
using Rapport.Features.SavedReplies;
using Rapport.Features.Settings;
using Rapport.Features.Sla;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Agents;

/// <summary>Every writing use case decides itself who may act, whatever page or endpoint calls it (the pen test found the
/// ticket page only disabling its controls for read-only agents). Each case is arranged on fresh data and called with the
/// actor a signed-in agent of a role gets: refused ones throw <see cref="NotAllowedException"/> and change nothing; allowed
/// ones go through (which shows the refusal is the role's doing). Agents demoted or deactivated after signing in are
/// refused at once.</summary>
public abstract class UseCaseAccessTests(RapportFactory app) : DatabaseTests(app)
{
    /// <summary>A use case ready to call, and what it would change (a snapshot compared before and after).</summary>
    private sealed record Case(Func<Actor, Task> Act, Func<Task<string>> ObserveAsync, bool ChangesState = true);

    /// <summary>Use cases that change tickets, customers, promises, jobs or partners: agents may, read-only agents may not.</summary>
    public static TheoryData<string> WriterUseCases => new()
    {
        "UpdateTicket", "AddTicketMessage.Reply", "AddTicketMessage.Note", "CreateTicket", "UploadAttachment",
        "PromiseLedger.Make", "PromiseLedger.Settle", "PromiseLedger.Reschedule",
        "SaveCustomer.Create", "SaveCustomer.Update", "MergeCustomers", "ManagePortalLinks.Create", "ManagePortalLinks.RevokeAll",
        "OpenJob", "UpdateJob", "LinkWarrantyTicket", "SendQuote", "ProposeChangeOrder", "DeclineRequest",
        "ManagePartners.Create", "ManagePartners.Update", "ManagePartners.SetActive",
    };

    /// <summary>Use cases that run the desk: owners only.</summary>
    public static TheoryData<string> OwnerUseCases => new()
    {
        "ManagePartners.Delete", "ManageTeam.Invite", "ManageTeam.Reinvite", "ManageTeam.ChangeRole", "ManageTeam.SetActive",
        "ManageApiTokens.Create", "ManageApiTokens.Revoke",
        "SlaSettings.SetHours", "SlaSettings.SetHolidays", "SlaSettings.ImportHolidays", "SlaSettings.SetPolicies", "SlaSettings.SetTagPolicies",
        "SlaSettings.SetEscalation", "SlaSettings.SetAcknowledgement", "SlaSettings.SetRouting", "SetAvailability.OfAnother",
        "SaveMailbox", "DeleteMailbox", "TestMailbox", "ManageSavedReplies.Save", "ManageSavedReplies.Delete", "SaveBusinessProfile",
    };

    [Theory]
    [MemberData(nameof(WriterUseCases))]
    public Task WriterUseCase_ReadOnlyAgent_IsRefusedAndChangesNothing(string useCase) => RefusedAsync(useCase, AgentRoles.ReadOnly);

    [Theory]
    [MemberData(nameof(WriterUseCases))]
    public Task WriterUseCase_Agent_IsAllowed(string useCase) => AllowedAsync(useCase, AgentRoles.Agent);

    [Theory]
    [MemberData(nameof(OwnerUseCases))]
    public Task OwnerUseCase_ReadOnlyAgent_IsRefusedAndChangesNothing(string useCase) => RefusedAsync(useCase, AgentRoles.ReadOnly);

    [Theory]
    [MemberData(nameof(OwnerUseCases))]
    public Task OwnerUseCase_Agent_IsRefusedAndChangesNothing(string useCase) => RefusedAsync(useCase, AgentRoles.Agent);

    [Theory]
    [MemberData(nameof(OwnerUseCases))]
    public Task OwnerUseCase_Owner_IsAllowed(string useCase) => AllowedAsync(useCase, AgentRoles.Owner);

    [Fact]
    public async Task UpdateTicket_AgentDemotedToReadOnlyAfterSigningIn_IsRefused()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var signedIn = await ActorOfAsync(agent);
        var ticket = await NewTicketAsync();
        await Use<UpdateTicket>().HandleAsync(ticket.Id, new UpdateTicket.Request { Priority = TicketPriority.High }, null, signedIn, Ct);

        (await Use<ManageTeam>().ChangeRoleAsync(agent.Id, AgentRoles.ReadOnly, await SignedInAsync(AgentRoles.Owner))).Succeeded.ShouldBeTrue();
        var before = await TicketStateAsync(ticket.Id);

        await Should.ThrowAsync<NotAllowedException>(() =>
            Use<UpdateTicket>().HandleAsync(ticket.Id, new UpdateTicket.Request { Status = TicketStatus.Closed }, null, signedIn, Ct));
        (await TicketStateAsync(ticket.Id)).ShouldBe(before);
        App.Logs.Entries.ShouldContain(e => e.Category == typeof(AgentAccess).FullName && e.Message.Contains($"agent {agent.Id},") && e.Message.Contains("has Read"));
    }

    [Fact]
    public async Task UpdateTicket_AgentDeactivatedAfterSigningIn_IsRefused()
    {
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var signedIn = await ActorOfAsync(agent);
        var ticket = await NewTicketAsync();
        await Use<UpdateTicket>().HandleAsync(ticket.Id, new UpdateTicket.Request { Priority = TicketPriority.High }, null, signedIn, Ct);

        (await Use<ManageTeam>().SetActiveAsync(agent.Id, false, await SignedInAsync(AgentRoles.Owner))).Succeeded.ShouldBeTrue();
        var before = await TicketStateAsync(ticket.Id);

        await Should.ThrowAsync<NotAllowedException>(() =>
            Use<UpdateTicket>().HandleAsync(ticket.Id, new UpdateTicket.Request { Status = TicketStatus.Closed }, null, signedIn, Ct));
        (await TicketStateAsync(ticket.Id)).ShouldBe(before);
    }

    [Fact]
    public async Task UpdateTicket_ActorWithoutASignIn_IsRefused()
    {
        var writer = await App.CreateAgentAsync(AgentRoles.Agent);
        var ticket = await NewTicketAsync();
        var before = await TicketStateAsync(ticket.Id);
        var request = new UpdateTicket.Request { Status = TicketStatus.Closed };

        await Should.ThrowAsync<NotAllowedException>(() => Use<UpdateTicket>().HandleAsync(ticket.Id, request, null, Actor.ForHistory(writer.Id), Ct));
        await Should.ThrowAsync<NotAllowedException>(() => Use<UpdateTicket>().HandleAsync(ticket.Id, request, null, default, Ct));
        await Should.ThrowAsync<NotAllowedException>(() => Use<UpdateTicket>().HandleAsync(ticket.Id, request, null, new System.Security.Claims.ClaimsPrincipal().ToActor(), Ct));
        (await TicketStateAsync(ticket.Id)).ShouldBe(before);
    }

    [Fact]
    public async Task UpdateTicket_Customer_MayCloseOnlyTheirOwnTicket()
    {
        var mine = await NewTicketAsync();
        var theirs = await NewTicketAsync();
        var customer = Actor.Customer(mine.CustomerId, ChangeChannel.Portal);

        await Should.ThrowAsync<NotAllowedException>(() =>
            Use<UpdateTicket>().HandleAsync(mine.Id, new UpdateTicket.Request { Priority = TicketPriority.Urgent }, null, customer, Ct));
        (await Use<UpdateTicket>().HandleAsync(theirs.Id, new UpdateTicket.Request { Status = TicketStatus.Closed }, null, customer, Ct))
            .Outcome.ShouldBe(UpdateTicket.Outcome.NotFound);
        (await Use<UpdateTicket>().HandleAsync(mine.Id, new UpdateTicket.Request { Status = TicketStatus.Closed }, null, customer, Ct))
            .Outcome.ShouldBe(UpdateTicket.Outcome.Updated);

        await using var db = App.CreateDbContext();
        (await db.Tickets.Where(t => t.Id == mine.Id).Select(t => new { t.Status, t.Priority }).SingleAsync(Ct))
            .ShouldBe(new { Status = TicketStatus.Closed, Priority = TicketPriority.Normal });
        (await db.Tickets.Where(t => t.Id == theirs.Id).Select(t => t.Status).SingleAsync(Ct)).ShouldBe(TicketStatus.New);
    }

    private async Task RefusedAsync(string useCase, string role)
    {
        var actor = await SignedInAsync(role);
        var @case = await ArrangeAsync(useCase);
        var before = await @case.ObserveAsync();

        await Should.ThrowAsync<NotAllowedException>(() => @case.Act(actor));

        (await @case.ObserveAsync()).ShouldBe(before);
    }

    private async Task AllowedAsync(string useCase, string role)
    {
        var actor = await SignedInAsync(role);
        var @case = await ArrangeAsync(useCase);
        var before = await @case.ObserveAsync();

        await @case.Act(actor);

        if (@case.ChangesState)
        {
            (await @case.ObserveAsync()).ShouldNotBe(before);
        }
    }

    private Task<Case> ArrangeAsync(string useCase) => useCase switch
    {
        "UpdateTicket" => OnTicketAsync(
            (t, a) => Use<UpdateTicket>().HandleAsync(t.Id, new UpdateTicket.Request { Status = TicketStatus.Closed, AddTags = ["refund"] }, null, a, Ct)),
        "AddTicketMessage.Reply" => OnTicketAsync(
            (t, a) => Use<AddTicketMessage>().ReplyAsync(t.Id, new AddTicketMessage.ReplyRequest { Text = "We are on it." }, null, a, Ct)),
        "AddTicketMessage.Note" => OnTicketAsync(
            (t, a) => Use<AddTicketMessage>().AddNoteAsync(t.Id, new MessageInput { Text = "Checked the order." }, null, a, Ct)),
        "CreateTicket" => CreateTicketAsync(),
        "UploadAttachment" => UploadAsync(),
        "PromiseLedger.Make" => OnTicketAsync((t, a) => Use<PromiseLedger>().MakeAsync(t.Id, FollowUp(), a, Ct)),
        "PromiseLedger.Settle" => OnPromiseAsync(
            (id, a) => Use<PromiseLedger>().SettleAsync(id, new PromiseLedger.SettleRequest { Status = PromiseStatus.Kept }, a, Ct)),
        "PromiseLedger.Reschedule" => OnPromiseAsync((id, a) => Use<PromiseLedger>().RescheduleAsync(id, App.Now.AddDays(3), a, Ct)),
        "SaveCustomer.Create" => CreateCustomerAsync(),
        "SaveCustomer.Update" => OnCustomerAsync(
            (id, a) => Use<SaveCustomer>().UpdateAsync(id, new SaveCustomer.Request { Name = "Renamed", Notes = "VIP" }, a, Ct)),
        "MergeCustomers" => MergeAsync(),
        "ManagePortalLinks.Create" => OnCustomerAsync((id, a) => Use<ManagePortalLinks>().CreateAsync(id, a, Ct)),
        "ManagePortalLinks.RevokeAll" => RevokeLinksAsync(),
        "OpenJob" => OnTicketAsync((t, a) => Use<OpenJob>().HandleAsync(t.Id, a, Ct)),
        "UpdateJob" => OnJobAsync(JobStage.Open,
            (job, a) => Use<UpdateJob>().HandleAsync(job.Id, a, (j, clock) => j.AddRequirement("A new boiler", null, clock.Now), Ct)),
        "LinkWarrantyTicket" => LinkWarrantyAsync(),
        "SendQuote" => OnJobAsync(JobStage.Drafted,
            (job, a) => Use<SendQuote>().HandleAsync(job.Id, job.Quotes[0].Id, a, Ct)),
        "ProposeChangeOrder" => OnJobAsync(JobStage.Approved, (job, a) => Use<ProposeChangeOrder>().HandleAsync(job.Id,
            new ProposeChangeOrder.Request([new LineSpec("Extra valve", 1, 30m, 0.2m)], "A valve is worn", null, null), a, Ct)),
        "DeclineRequest" => OnJobAsync(JobStage.Open,
            (job, a) => Use<DeclineRequest>().HandleAsync(job.Id, "We do not service this model.", null, a, Ct)),
        "ManagePartners.Create" => CreatePartnerAsync(),
        "ManagePartners.Update" => OnPartnerAsync((id, a) => Use<ManagePartners>().UpdateAsync(id, new ManagePartners.Request("Renamed roofs", null, null, null, null, null), a, Ct)),
        "ManagePartners.SetActive" => OnPartnerAsync((id, a) => Use<ManagePartners>().SetActiveAsync(id, false, a, Ct)),
        "ManagePartners.Delete" => OnPartnerAsync((id, a) => Use<ManagePartners>().DeleteAsync(id, a, Ct)),
        "ManageTeam.Invite" => InviteAsync(),
        "ManageTeam.Reinvite" => ReinviteAsync(),
        "ManageTeam.ChangeRole" => OnColleagueAsync((id, a) => Use<ManageTeam>().ChangeRoleAsync(id, AgentRoles.ReadOnly, a)),
        "ManageTeam.SetActive" => OnColleagueAsync((id, a) => Use<ManageTeam>().SetActiveAsync(id, false, a)),
        "ManageApiTokens.Create" => CreateTokenAsync(),
        "ManageApiTokens.Revoke" => RevokeTokenAsync(),
        "SlaSettings.SetHours" => OnSettingsAsync((_, a) => Use<SlaSettings>().SetHoursAsync(
            [new SlaSettings.HoursRange(DayOfWeek.Monday, $"07:{Random.Shared.Next(0, 60):00}", "15:30")], a, Ct)),
        "SlaSettings.SetHolidays" => OnSettingsAsync((_, a) => Use<SlaSettings>().SetHolidaysAsync([new SlaSettings.HolidayEntry(UniqueDay(), "Closed")], a, Ct)),
        "SlaSettings.ImportHolidays" => OnSettingsAsync((_, a) => Use<SlaSettings>().ImportHolidaysAsync(
            $"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:{UniqueDay():yyyyMMdd}\r\nSUMMARY:Closed\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", a, Ct)),
        "SlaSettings.SetPolicies" => OnSettingsAsync((_, a) => Use<SlaSettings>().SetPoliciesAsync(
            [new SlaSettings.Policy(TicketPriority.Low, TimeSpan.FromHours(Random.Shared.Next(30, 300)), TimeSpan.FromHours(32), TimeSpan.FromHours(400), false)], a, Ct)),
        "SlaSettings.SetTagPolicies" => OnSettingsAsync((_, a) => Use<SlaSettings>().SetTagPoliciesAsync("vip-" + Unique(),
            [new SlaSettings.Policy(TicketPriority.High, TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(8), true)], a, Ct)),
        "SlaSettings.SetEscalation" => OnSettingsAsync((now, a) => Use<SlaSettings>().SetEscalationAsync(
            new(WarnPercent: now.SlaWarnPercent == 65 ? 70 : 65, EscalateToAgentId: null), a, Ct)),
        "SlaSettings.SetAcknowledgement" => OnSettingsAsync((now, a) => Use<SlaSettings>().SetAcknowledgementAsync(
            new(!now.AcknowledgementEnabled, AcknowledgementTemplate.Default), a, Ct)),
        "SlaSettings.SetRouting" => OnSettingsAsync((now, a) => Use<SlaSettings>().SetRoutingAsync(new(AssignNewCustomers: !now.AssignNewCustomers), a, Ct)),
        "SetAvailability.OfAnother" => OnColleagueAsync((id, a) => Use<SetAvailability>().HandleAsync(id, new(App.Now.AddDays(7), null), a, Ct)),
        "SaveMailbox" => SaveMailboxAsync(),
        "SaveBusinessProfile" => OnSettingsAsync(async (now, a) => (await Use<SaveBusinessProfile>().HandleAsync(
            new(now.Name + " " + Unique(), now.TimeZone, now.RequireTwoFactor, now.PublicUrl), a, Ct)).ShouldBeNull()),
        "DeleteMailbox" => OnMailboxAsync((id, a) => Use<DeleteMailbox>().HandleAsync(id, a, Ct)),
        "TestMailbox" => TestMailboxAsync(),
        "ManageSavedReplies.Save" => SaveReplyAsync(),
        "ManageSavedReplies.Delete" => DeleteReplyAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(useCase), useCase, "No such case."),
    };

    private async Task<Case> OnTicketAsync(Func<Ticket, Actor, Task> act)
    {
        var ticket = await NewTicketAsync();
        return new Case(a => act(ticket, a), () => TicketStateAsync(ticket.Id));
    }

    private Task<Case> CreateTicketAsync()
    {
        var subject = "Created " + Unique();
        var request = new CreateTicket.Request
        {
            Subject = subject,
            Customer = new CreateTicket.CustomerInput { Email = $"c+{Unique()}@example.com" },
            Message = new MessageInput { Text = "My heating is off." },
        };
        return Task.FromResult(new Case(a => Use<CreateTicket>().HandleAsync(request, a, null, null, Ct),
            () => SnapshotAsync(db => db.Tickets.CountAsync(t => t.Subject == subject, Ct))));
    }

    private Task<Case> UploadAsync()
    {
        var name = $"order-{Unique()}.txt";
        return Task.FromResult(new Case(async a =>
        {
            await using var file = new MemoryStream(Encoding.UTF8.GetBytes("Order 4711, two radiators."));
            await Use<UploadAttachment>().HandleAsync(file, name, "text/plain", file.Length, a, Ct);
        }, () => SnapshotAsync(db => db.Attachments.CountAsync(x => x.FileName == name, Ct))));
    }

    private PromiseLedger.MakeRequest FollowUp() =>
        new() { Kind = PromiseKind.FollowUp, Text = "Call back about the invoice", DueAt = App.Now.AddDays(1) };

    private async Task<Case> OnPromiseAsync(Func<long, Actor, Task> act)
    {
        var ticket = await NewTicketAsync();
        var promise = (await Use<PromiseLedger>().MakeAsync(ticket.Id, FollowUp(), Actor.System, Ct))!;
        return new Case(a => act(promise.Id, a),
            () => SnapshotAsync(db => db.Promises.Where(p => p.Id == promise.Id).Select(p => new { p.Status, p.DueAt, p.SettledById }).SingleAsync(Ct)));
    }

    private Task<Case> CreateCustomerAsync()
    {
        var email = $"new+{Unique()}@example.com";
        return Task.FromResult(new Case(a => Use<SaveCustomer>().CreateAsync(new SaveCustomer.Request { Name = "New Customer", Emails = [email] }, a, Ct),
            () => SnapshotAsync(db => db.CustomerEmails.CountAsync(e => e.Address == email, Ct))));
    }

    private async Task<Case> OnCustomerAsync(Func<long, Actor, Task> act)
    {
        var ticket = await NewTicketAsync();
        return new Case(a => act(ticket.CustomerId, a), () => SnapshotAsync(async db => new
        {
            Customer = await db.Customers.Where(c => c.Id == ticket.CustomerId).Select(c => new { c.Name, c.Notes }).SingleAsync(Ct),
            Links = await db.PortalLinks.CountAsync(l => l.CustomerId == ticket.CustomerId, Ct),
        }));
    }

    private async Task<Case> MergeAsync()
    {
        var keep = await NewTicketAsync();
        var duplicate = await NewTicketAsync();
        return new Case(a => Use<MergeCustomers>().HandleAsync(keep.CustomerId, duplicate.CustomerId, a, Ct), () => SnapshotAsync(async db => new
        {
            MergedInto = await db.Customers.Where(c => c.Id == duplicate.CustomerId).Select(c => c.MergedIntoId).SingleAsync(Ct),
            Ticket = await TicketStateAsync(duplicate.Id),
        }));
    }

    private async Task<Case> RevokeLinksAsync()
    {
        var ticket = await NewTicketAsync();
        await Use<PortalSessions>().CreateLinkAsync(ticket.CustomerId, null, Ct);
        return new Case(a => Use<ManagePortalLinks>().RevokeAllAsync(ticket.CustomerId, a, Ct),
            () => SnapshotAsync(db => db.PortalLinks.CountAsync(l => l.CustomerId == ticket.CustomerId && l.RevokedAt == null, Ct)));
    }

    private enum JobStage { Open, Drafted, Approved }

    private async Task<Case> OnJobAsync(JobStage stage, Func<JobDetails, Actor, Task> act)
    {
        var ticket = await NewTicketAsync();
        var job = await NewJobAsync(ticket.Id, stage);
        return new Case(a => act(job, a), () => SnapshotAsync(async db => new
        {
            Job = await JobViews.LoadAsync(db, job.Id, Ct),
            Ticket = await TicketStateAsync(ticket.Id),
        }));
    }

    private async Task<JobDetails> NewJobAsync(long ticketId, JobStage stage)
    {
        var update = Use<UpdateJob>();
        var (job, _) = (await Use<OpenJob>().HandleAsync(ticketId, Actor.System, Ct))!.Value;
        if (stage >= JobStage.Drafted)
        {
            var quote = (await update.HandleAsync(job.Id, Actor.System, (j, clock) => j.DraftQuote(new QuoteTerms("EUR",
                [new LineSpec("Boiler service", 1, 120m, 0.2m)], clock.Today.AddDays(7), clock.Today.AddDays(14), clock.Today.AddDays(30), null), [], clock.Now), Ct))!;
            if (stage >= JobStage.Approved)
            {
                await update.HandleAsync(job.Id, Actor.System, (j, clock) =>
                {
                    j.SendQuote(quote.Id, clock.Today, clock.Now);
                    j.ApproveQuote(quote.Id, "Sam Customer", clock.Today, clock.Now);
                    return j;
                }, Ct);
            }
        }
        await using var db = App.CreateDbContext();
        return (await JobViews.LoadAsync(db, job.Id, Ct))!;
    }

    private async Task<Case> LinkWarrantyAsync()
    {
        var email = $"c+{Unique()}@example.com";
        var done = await NewTicketAsync(email);
        var job = await NewJobAsync(done.Id, JobStage.Open);
        await Use<UpdateJob>().HandleAsync(job.Id, Actor.System, (j, clock) =>
        {
            j.Complete(TimeSpan.FromDays(90), clock.Zone, clock.Now);
            return j;
        }, Ct);
        var later = await NewTicketAsync(email);
        return new Case(a => Use<LinkWarrantyTicket>().HandleAsync(job.Id, later.Id, a, Ct),
            () => SnapshotAsync(db => db.WarrantyClaims.CountAsync(c => c.TicketId == later.Id, Ct)));
    }

    private Task<Case> CreatePartnerAsync()
    {
        var name = "Roofers " + Unique();
        return Task.FromResult(new Case(a => Use<ManagePartners>().CreateAsync(new ManagePartners.Request(name, null, "roofs.example", null, "Roofs", true), a, Ct),
            () => SnapshotAsync(db => db.Partners.CountAsync(p => p.Name == name, Ct))));
    }

    private async Task<Case> OnPartnerAsync(Func<long, Actor, Task> act)
    {
        var partner = await Use<ManagePartners>().CreateAsync(new ManagePartners.Request("Gutters " + Unique(), null, null, null, null, true), Actor.System, Ct);
        return new Case(a => act(partner.Id, a),
            () => SnapshotAsync(db => db.Partners.Where(p => p.Id == partner.Id).Select(p => new { p.Name, p.Active }).ToListAsync(Ct)));
    }

    private Task<Case> InviteAsync()
    {
        var email = $"invited+{Unique()}@example.com";
        return Task.FromResult(new Case(a => Use<ManageTeam>().InviteAsync(email, "New Colleague", AgentRoles.Agent, a),
            () => SnapshotAsync(db => db.Users.CountAsync(u => u.Email == email, Ct))));
    }

    private async Task<Case> ReinviteAsync()
    {
        var email = $"invited+{Unique()}@example.com";
        (await Use<ManageTeam>().InviteAsync(email, "New Colleague", AgentRoles.Agent, Actor.System)).Succeeded.ShouldBeTrue();
        await using var db = App.CreateDbContext();
        var id = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct);
        return new Case(a => Use<ManageTeam>().ReinviteAsync(id, a),
            () => SnapshotAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.SecurityStamp).SingleAsync(Ct)));
    }

    private async Task<Case> OnColleagueAsync(Func<int, Actor, Task> act)
    {
        var colleague = await App.CreateAgentAsync(AgentRoles.Agent);
        return new Case(a => act(colleague.Id, a), () => SnapshotAsync(async db => new
        {
            Agent = await db.Users.Where(u => u.Id == colleague.Id).Select(u => new { u.IsActive, u.AwayUntil }).SingleAsync(Ct),
            Roles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == colleague.Id select r.Name).ToListAsync(Ct),
        }));
    }

    private Task<Case> CreateTokenAsync()
    {
        var name = "integration " + Unique();
        return Task.FromResult(new Case(a => Use<ManageApiTokens>().CreateAsync(name, ApiTokenScope.Write, a, Ct),
            () => SnapshotAsync(db => db.ApiTokens.CountAsync(t => t.Name == name, Ct))));
    }

    private async Task<Case> RevokeTokenAsync()
    {
        var (token, _) = await App.CreateTokenAsync(ApiTokenScope.Write, ct: Ct);
        return new Case(a => Use<ManageApiTokens>().RevokeAsync(token.Id, a, Ct),
            () => SnapshotAsync(db => db.ApiTokens.Where(t => t.Id == token.Id).Select(t => t.RevokedAt).SingleAsync(Ct)));
    }

    /// <summary>A change to the desk's settings, made from what they are now (so that an allowed change always changes them).</summary>
    private async Task<Case> OnSettingsAsync(Func<BusinessProfile, Actor, Task> act)
    {
        BusinessProfile profile;
        await using (var db = App.CreateDbContext())
        {
            if (await db.BusinessProfiles.AsNoTracking().FirstOrDefaultAsync(Ct) is not { } existing)
            {
                db.BusinessProfiles.Add(existing = BusinessProfile.Create("Harbour Heating", "UTC", App.Now));
                await db.SaveChangesAsync(Ct);
            }
            profile = existing;
        }
        return new Case(a => act(profile, a), () => SnapshotAsync(async db => new
        {
            Hours = await db.OpeningHours.OrderBy(h => h.Id).Select(h => new { h.Day, h.Start, h.End }).ToListAsync(Ct),
            Holidays = await db.Holidays.OrderBy(h => h.Id).Select(h => new { h.Date, h.Name }).ToListAsync(Ct),
            Policies = await db.SlaPolicies.OrderBy(p => p.Id).Select(p => new { p.Tag, p.Priority, p.FirstResponse, p.NextResponse, p.Resolution, p.BusinessHours })
                .ToListAsync(Ct),
            Profile = await db.BusinessProfiles.Select(p => new { p.Name, p.TimeZone, p.RequireTwoFactor, p.PublicUrl, p.SlaWarnPercent, p.EscalateToAgentId,
                p.AcknowledgementEnabled, p.AssignNewCustomers }).SingleAsync(Ct),
        }));
    }

    private static DateOnly UniqueDay() => new DateOnly(2030, 1, 1).AddDays(Random.Shared.Next(0, 3650));

    private Task<Case> SaveMailboxAsync()
    {
        var name = "box-" + Unique();
        return Task.FromResult(new Case(a => Use<SaveMailbox>().HandleAsync(null, new SaveMailbox.Request { Name = name, Address = $"{name}@shop.example" }, a, Ct),
            () => SnapshotAsync(db => db.Mailboxes.CountAsync(m => m.Name == name, Ct))));
    }

    private async Task<Case> OnMailboxAsync(Func<int, Actor, Task> act)
    {
        var id = await NewMailboxAsync();
        return new Case(a => act(id, a), () => SnapshotAsync(db => db.Mailboxes.CountAsync(m => m.Id == id, Ct)));
    }

    /// <summary>Connecting changes nothing; when allowed, the test answers (here: that no servers are set).</summary>
    private async Task<Case> TestMailboxAsync()
    {
        var id = await NewMailboxAsync();
        return new Case(async a => (await Use<TestMailbox>().HandleAsync(id, a, Ct)).ShouldNotBeNull(),
            () => SnapshotAsync(db => db.Mailboxes.CountAsync(m => m.Id == id, Ct)), ChangesState: false);
    }

    private async Task<int> NewMailboxAsync()
    {
        var name = "box-" + Unique();
        var (_, mailbox) = await Use<SaveMailbox>().HandleAsync(null, new SaveMailbox.Request { Name = name, Address = $"{name}@shop.example", Enabled = false },
            Actor.System, Ct);
        return mailbox!.Id;
    }

    private Task<Case> SaveReplyAsync()
    {
        var name = "Thanks " + Unique();
        return Task.FromResult(new Case(a => Use<ManageSavedReplies>().SaveAsync(null, name, "Thank you, {{customer.first_name}}!", a, Ct),
            () => SnapshotAsync(db => db.SavedReplies.CountAsync(r => r.Name == name, Ct))));
    }

    private async Task<Case> DeleteReplyAsync()
    {
        var name = "Sorry " + Unique();
        await Use<ManageSavedReplies>().SaveAsync(null, name, "Sorry for the wait.", Actor.System, Ct);
        return new Case(async a =>
        {
            await using var db = App.CreateDbContext();
            var id = await db.SavedReplies.Where(r => r.Name == name).Select(r => r.Id).SingleAsync(Ct);
            await Use<ManageSavedReplies>().DeleteAsync(id, a, Ct);
        }, () => SnapshotAsync(db => db.SavedReplies.CountAsync(r => r.Name == name, Ct)));
    }

    private async Task<Ticket> NewTicketAsync(string? email = null)
    {
        var result = await Use<CreateTicket>().HandleAsync(new CreateTicket.Request
        {
            Subject = "Access " + Unique(),
            Customer = new CreateTicket.CustomerInput { Email = email ?? $"c+{Unique()}@example.com", Name = "Sam Customer" },
            Message = new MessageInput { Text = "My heating is off." },
        }, Actor.System, null, null, Ct);
        return result.Ticket!;
    }

    private Task<string> TicketStateAsync(long ticketId) => SnapshotAsync(async db => new
    {
        Ticket = await db.Tickets.Where(t => t.Id == ticketId).Select(t => new { t.Status, t.Priority, t.OwnerId, t.CustomerId, t.Version }).SingleAsync(Ct),
        Tags = await db.TicketTags.Where(t => t.TicketId == ticketId).OrderBy(t => t.Name).Select(t => t.Name).ToListAsync(Ct),
        Messages = await db.Messages.CountAsync(m => m.TicketId == ticketId, Ct),
        Events = await db.TicketEvents.CountAsync(e => e.TicketId == ticketId, Ct),
        Jobs = await db.Jobs.CountAsync(j => j.TicketId == ticketId, Ct),
        FollowUps = await db.Promises.CountAsync(p => p.TicketId == ticketId && p.Kind == PromiseKind.FollowUp, Ct),
    });

    private async Task<string> SnapshotAsync<T>(Func<Rapport.Data.RapportDb, Task<T>> read)
    {
        await using var db = App.CreateDbContext();
        return JsonSerializer.Serialize(await read(db), Http.Json);
    }

    /// <summary>The actor a page or endpoint gets for an agent of this role who just signed in. One such agent per role and
    /// database serves every test (none changes them): creating an agent hashes a password, which is slow on purpose.</summary>
    private Task<Actor> SignedInAsync(string role) =>
        SignedIn.GetOrCreateValue(App).GetOrAdd(role, async r => await ActorOfAsync(await App.CreateAgentAsync(r)));

    private static readonly ConditionalWeakTable<RapportFactory, ConcurrentDictionary<string, Task<Actor>>> SignedIn = new();

    private async Task<Actor> ActorOfAsync(Agent agent)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var principal = await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<Agent>>().CreateAsync(agent);
        return principal.ToActor();
    }

    private T Use<T>() where T : notnull => App.Services.GetRequiredService<T>();

    private static string Unique() => Guid.NewGuid().ToString("N")[..12];
}

public sealed class UseCaseAccessTests_Sqlite(SqliteRapportFactory app) : UseCaseAccessTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class UseCaseAccessTests_Postgres(PostgresRapportFactory app) : UseCaseAccessTests(app), IClassFixture<PostgresRapportFactory>;
