using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Mvc;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Tickets;

public abstract class TicketsApiTests(RapportFactory app) : DatabaseTests(app)
{
    private static object NewTicket(string? email = null, string subject = "Order 4711 has not arrived", string[]? tags = null, string? priority = null) => new
    {
        subject,
        customer = new { email = email ?? $"test+{Guid.NewGuid():N}@example.com", name = "Ann Example" },
        message = new { text = "Hi, my order has not arrived. Where is it?" },
        priority,
        tags,
    };

    private async Task<HttpClient> ClientAsync(ApiTokenScope scope = ApiTokenScope.Write)
    {
        return await App.CreateTokenClientAsync(scope, ct: Ct);
    }

    private static async Task<TicketDetails> CreateAsync(HttpClient client, object ticket)
    {
        var response = await client.PostJsonAsync("/api/v1/tickets", ticket);
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        return await response.ReadAsync<TicketDetails>();
    }

    [Fact]
    public async Task Create_ValidRequest_Returns201WithNumberAndFirstMessage()
    {
        var client = await ClientAsync();
        var email = $"Test+{Guid.NewGuid():N}@Example.com";

        var response = await client.PostJsonAsync("/api/v1/tickets", NewTicket(email, tags: ["Billing", " urgent  stuff ", "billing"], priority: "high"));

        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var ticket = await response.ReadAsync<TicketDetails>();
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/tickets/{ticket.Id}");
        ticket.Number.ShouldBe(ticket.Id);
        ticket.Status.ShouldBe(TicketStatus.New);
        ticket.Priority.ShouldBe(TicketPriority.High);
        ticket.Channel.ShouldBe(TicketChannel.Api);
        ticket.Customer.Email.ShouldBe(email.ToLowerInvariant());
        ticket.Tags.ShouldBe(["billing", "urgent-stuff"]);
        ticket.Messages.ShouldHaveSingleItem().Kind.ShouldBe(MessageKind.Customer);
        ticket.FirstResponseAt.ShouldBeNull();
        ticket.CreatedAt.Kind.ShouldBe(DateTimeKind.Utc);
    }

    [Fact]
    public async Task Create_SameAddressTwice_UsesOneCustomer()
    {
        var client = await ClientAsync();
        var email = $"test+{Guid.NewGuid():N}@example.com";

        var first = await CreateAsync(client, NewTicket(email));
        var second = await CreateAsync(client, NewTicket(email.ToUpperInvariant()));

        second.Customer.Id.ShouldBe(first.Customer.Id);
        second.Id.ShouldNotBe(first.Id);
    }

    [Fact]
    public async Task Create_ConcurrentRequestsForOneNewCustomer_AllSucceedWithOneCustomer()
    {
        var client = await ClientAsync();
        var email = $"test+{Guid.NewGuid():N}@example.com";

        var tickets = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => CreateAsync(client, NewTicket(email))));

        tickets.Select(t => t.Id).Distinct().Count().ShouldBe(12);
        tickets.Select(t => t.Customer.Id).Distinct().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Create_InvalidRequest_ReturnsFieldLevelErrors()
    {
        var client = await ClientAsync();

        var response = await client.PostJsonAsync("/api/v1/tickets", new { subject = "", customer = new { email = "not-an-address" }, message = new { text = "hi" } });

        await response.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        var problem = await response.ReadAsync<HttpValidationProblemDetails>();
        problem.Errors.Keys.ShouldBe(["subject", "customer.email"], ignoreOrder: true);
    }

    [Fact]
    public async Task Create_EmptyMessage_IsRefused()
    {
        var client = await ClientAsync();

        var response = await client.PostJsonAsync("/api/v1/tickets", new { subject = "Hello", customer = new { email = "a@example.com" }, message = new { text = " " } });

        await response.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await response.ReadAsync<HttpValidationProblemDetails>()).Errors.Keys.ShouldContain("message");
    }

    [Fact]
    public async Task Create_UnknownPriority_NamesTheField()
    {
        var client = await ClientAsync();

        var response = await client.PostJsonAsync("/api/v1/tickets", NewTicket(priority: "super-urgent"));

        await response.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        var problem = await response.ReadAsync<HttpValidationProblemDetails>();
        problem.Errors["$.priority"].ShouldHaveSingleItem().ShouldContain("low, normal, high or urgent");
    }

    [Fact]
    public async Task Create_MalformedJson_Returns400ProblemDetails()
    {
        var client = await ClientAsync();

        var response = await client.PostAsync("/api/v1/tickets", new StringContent("{\"subject\": ", System.Text.Encoding.UTF8, "application/json"));

        await response.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task Create_RetriedWithSameIdempotencyKey_ReturnsTheFirstTicket()
    {
        var client = await ClientAsync();
        var key = Guid.NewGuid().ToString();
        var body = NewTicket();

        var first = await client.PostJsonAsync("/api/v1/tickets", body, r => r.Headers.Add("Idempotency-Key", key));
        var retry = await client.PostJsonAsync("/api/v1/tickets", body, r => r.Headers.Add("Idempotency-Key", key));

        await first.ShouldHaveStatusAsync(HttpStatusCode.Created);
        await retry.ShouldHaveStatusAsync(HttpStatusCode.Created);
        (await retry.ReadAsync<TicketDetails>()).Id.ShouldBe((await first.ReadAsync<TicketDetails>()).Id);
        retry.Headers.GetValues("Idempotent-Replayed").ShouldBe(["true"]);
    }

    [Fact]
    public async Task Create_ConcurrentRetriesWithOneKey_CreateOneTicket()
    {
        var client = await ClientAsync();
        var key = Guid.NewGuid().ToString();
        var body = NewTicket();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            client.PostJsonAsync("/api/v1/tickets", body, r => r.Headers.Add("Idempotency-Key", key))));

        var ids = new List<long>();
        foreach (var response in responses)
        {
            await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
            ids.Add((await response.ReadAsync<TicketDetails>()).Id);
        }
        ids.Distinct().ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Create_SameKeyDifferentBody_Returns422()
    {
        var client = await ClientAsync();
        var key = Guid.NewGuid().ToString();

        await (await client.PostJsonAsync("/api/v1/tickets", NewTicket(), r => r.Headers.Add("Idempotency-Key", key))).ShouldHaveStatusAsync(HttpStatusCode.Created);
        var reused = await client.PostJsonAsync("/api/v1/tickets", NewTicket(subject: "Something else"), r => r.Headers.Add("Idempotency-Key", key));

        await reused.ShouldHaveStatusAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Create_KeysAreScopedPerCaller()
    {
        var first = await ClientAsync();
        var second = await ClientAsync();
        var key = Guid.NewGuid().ToString();

        var one = await first.PostJsonAsync("/api/v1/tickets", NewTicket(), r => r.Headers.Add("Idempotency-Key", key));
        var other = await second.PostJsonAsync("/api/v1/tickets", NewTicket(), r => r.Headers.Add("Idempotency-Key", key));

        (await other.ReadAsync<TicketDetails>()).Id.ShouldNotBe((await one.ReadAsync<TicketDetails>()).Id);
    }

    [Fact]
    public async Task Get_UnknownId_Returns404()
    {
        var client = await ClientAsync();

        var response = await client.GetAsync("/api/v1/tickets/987654321");

        await response.ShouldHaveStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Get_NonNumericId_Returns404NotServerError()
    {
        var client = await ClientAsync();

        (await client.GetAsync("/api/v1/tickets/abc")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task List_PagesWithCursor_NewestActivityFirstWithoutGapsOrRepeats()
    {
        var client = await ClientAsync();
        var tag = "page-" + Guid.NewGuid().ToString("N")[..10];
        var created = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await CreateAsync(client, NewTicket(tags: [tag]))).Id);
            App.Time.Advance(TimeSpan.FromSeconds(1));
        }
        // Activity on the oldest ticket moves it to the top.
        await (await client.PostJsonAsync($"/api/v1/tickets/{created[0]}/notes", new { text = "bump" })).ShouldHaveStatusAsync(HttpStatusCode.Created);

        var seen = new List<TicketSummary>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await (await client.GetAsync($"/api/v1/tickets?tag={tag}&limit=3" + (next is null ? "" : $"&after={next}"))).ReadAsync<Page<TicketSummary>>();
            seen.AddRange(page.Items);
            next = page.Next;
            pages++;
        }
        while (next is not null);

        pages.ShouldBe(3);
        seen.Select(t => t.Id).ShouldBe([created[0], .. created.Skip(1).Reverse()]);
        seen.ShouldAllBe(t => t.Tags.Contains(tag));
    }

    [Fact]
    public async Task List_Filters_ByStatusOwnerCustomerAndUpdatedSince()
    {
        var client = await ClientAsync();
        var owner = await App.CreateAgentAsync(AgentRoles.Agent);
        var email = $"test+{Guid.NewGuid():N}@example.com";
        var a = await CreateAsync(client, NewTicket(email));
        var b = await CreateAsync(client, NewTicket(email));
        App.Time.Advance(TimeSpan.FromMinutes(1));
        var since = App.Time.GetUtcNow();
        await (await client.PatchJsonAsync($"/api/v1/tickets/{b.Id}", new { status = "open", ownerId = owner.Id })).ShouldHaveStatusAsync(HttpStatusCode.OK);

        var byCustomer = await (await client.GetAsync($"/api/v1/tickets?customerId={a.Customer.Id}")).ReadAsync<Page<TicketSummary>>();
        var byOwner = await (await client.GetAsync($"/api/v1/tickets?ownerId={owner.Id}")).ReadAsync<Page<TicketSummary>>();
        var openOfCustomer = await (await client.GetAsync($"/api/v1/tickets?customerId={a.Customer.Id}&status=open")).ReadAsync<Page<TicketSummary>>();
        var newOrOpen = await (await client.GetAsync($"/api/v1/tickets?customerId={a.Customer.Id}&status=new,open")).ReadAsync<Page<TicketSummary>>();
        var recent = await (await client.GetAsync($"/api/v1/tickets?customerId={a.Customer.Id}&updatedSince={Uri.EscapeDataString(since.ToString("O"))}")).ReadAsync<Page<TicketSummary>>();

        byCustomer.Items.Select(t => t.Id).ShouldBe([b.Id, a.Id]);
        byOwner.Items.Select(t => t.Id).ShouldBe([b.Id]);
        byOwner.Items[0].Owner!.Name.ShouldBe(owner.DisplayName);
        openOfCustomer.Items.Select(t => t.Id).ShouldBe([b.Id]);
        newOrOpen.Items.Count.ShouldBe(2);
        recent.Items.Select(t => t.Id).ShouldBe([b.Id]);
    }

    [Fact]
    public async Task List_BadParameters_Return400WithEachField()
    {
        var client = await ClientAsync();

        var response = await client.GetAsync("/api/v1/tickets?status=pending&limit=1000&after=not-a-cursor");

        await response.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await response.ReadAsync<HttpValidationProblemDetails>()).Errors.Keys.ShouldBe(["status", "limit", "after"], ignoreOrder: true);
    }

    [Fact]
    public async Task Patch_ChangesStatusPriorityOwnerAndTags_AndRecordsHistory()
    {
        var client = await ClientAsync();
        var owner = await App.CreateAgentAsync(AgentRoles.Agent);
        var ticket = await CreateAsync(client, NewTicket(tags: ["a", "b"]));

        var response = await client.PatchJsonAsync($"/api/v1/tickets/{ticket.Id}",
            new { status = "open", priority = "urgent", ownerId = owner.Id, addTags = new[] { "c" }, removeTags = new[] { "a" } });

        await response.ShouldHaveStatusAsync(HttpStatusCode.OK);
        var updated = await response.ReadAsync<TicketDetails>();
        updated.Status.ShouldBe(TicketStatus.Open);
        updated.Priority.ShouldBe(TicketPriority.Urgent);
        updated.Owner!.Id.ShouldBe(owner.Id);
        updated.Tags.ShouldBe(["b", "c"]);
        updated.Version.ShouldBeGreaterThan(ticket.Version);
        response.Headers.ETag!.Tag.ShouldBe($"\"{updated.Version}\"");
        var history = await (await client.GetAsync($"/api/v1/tickets/{ticket.Id}/events")).ReadAsync<List<TicketEventDetails>>();
        history.Select(e => e.Kind).ShouldBe([TicketEventKind.Created, TicketEventKind.PriorityChanged, TicketEventKind.Assigned, TicketEventKind.TagsChanged, TicketEventKind.StatusChanged]);
        history.ShouldAllBe(e => e.ApiTokenId != null);
    }

    [Fact]
    public async Task Patch_IllegalStatusMove_Returns409WithReason()
    {
        var client = await ClientAsync();
        var ticket = await CreateAsync(client, NewTicket());
        await (await client.PatchJsonAsync($"/api/v1/tickets/{ticket.Id}", new { status = "closed" })).ShouldHaveStatusAsync(HttpStatusCode.OK);

        var response = await client.PatchJsonAsync($"/api/v1/tickets/{ticket.Id}", new { status = "open" });

        await response.ShouldHaveStatusAsync(HttpStatusCode.Conflict);
        var problem = await response.ReadAsync<ProblemDetails>();
        problem.Extensions["code"]!.ToString().ShouldBe("illegal-status-change");
        problem.Detail!.ShouldContain("closed");
    }

    [Fact]
    public async Task Patch_OwnerWhoIsReadOnly_IsRefused()
    {
        var client = await ClientAsync();
        var viewer = await App.CreateAgentAsync(AgentRoles.ReadOnly);
        var ticket = await CreateAsync(client, NewTicket());

        var response = await client.PatchJsonAsync($"/api/v1/tickets/{ticket.Id}", new { ownerId = viewer.Id });

        await response.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await response.ReadAsync<HttpValidationProblemDetails>()).Errors.Keys.ShouldBe(["ownerId"]);
    }

    [Fact]
    public async Task Patch_StaleIfMatch_Returns409AndChangesNothing()
    {
        var client = await ClientAsync();
        var ticket = await CreateAsync(client, NewTicket());
        var stale = $"\"{ticket.Version}\"";
        await (await client.PatchJsonAsync($"/api/v1/tickets/{ticket.Id}", new { priority = "high" }, stale)).ShouldHaveStatusAsync(HttpStatusCode.OK);

        var second = await client.PatchJsonAsync($"/api/v1/tickets/{ticket.Id}", new { priority = "low" }, stale);

        await second.ShouldHaveStatusAsync(HttpStatusCode.Conflict);
        (await second.ReadAsync<ProblemDetails>()).Extensions["code"]!.ToString().ShouldBe("concurrency-conflict");
        (await (await client.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDetails>()).Priority.ShouldBe(TicketPriority.High);
    }

    [Fact]
    public async Task Patch_ConcurrentWritersOnSameVersion_OneWinsOneGets409()
    {
        var client = await ClientAsync();
        var ticket = await CreateAsync(client, NewTicket());
        var version = $"\"{ticket.Version}\"";

        var results = await Task.WhenAll(
            Enumerable.Range(0, 6).Select(i => client.PatchJsonAsync($"/api/v1/tickets/{ticket.Id}", new { subject = $"Edited {i}" }, version)));

        results.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(1);
        results.Count(r => r.StatusCode == HttpStatusCode.Conflict).ShouldBe(5);
    }

    [Fact]
    public async Task Replies_PostedAtOnceWithoutIfMatch_AllLand()
    {
        var client = await ClientAsync();
        var ticket = await CreateAsync(client, NewTicket());

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = $"Part {i} of the answer" })));

        foreach (var result in results)
        {
            await result.ShouldHaveStatusAsync(HttpStatusCode.Created);
        }
        var details = await (await client.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDetails>();
        details.Messages.Count(m => m.Kind == MessageKind.Reply).ShouldBe(8);
    }

    [Fact]
    public async Task Reply_WithPromises_TracksThemInTheSameSave_AndABadOneSavesNothing()
    {
        var client = await ClientAsync();
        var ticket = await CreateAsync(client, NewTicket());
        var due = App.Now.AddDays(1);

        var bad = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new
        {
            text = "I'll call you tomorrow.",
            promises = new object[] { new { kind = "call", text = "Call tomorrow", dueAt = due }, new { kind = "call", text = "Too late", dueAt = App.Now.AddDays(-1) } },
        });
        await bad.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await bad.ReadAsync<ProblemDetails>()).Extensions["code"]!.ToString().ShouldBe("promise-due-invalid");
        var unchanged = await (await client.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDetails>();
        unchanged.Messages.ShouldNotContain(m => m.Kind == MessageKind.Reply, "a reply whose promise is refused is not sent either");

        var good = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new
        {
            text = "I'll call you tomorrow.",
            promises = new object[] { new { kind = "call", text = "Call tomorrow", dueAt = due } },
        });
        await good.ShouldHaveStatusAsync(HttpStatusCode.Created);
        await using var db = App.CreateDbContext();
        var promise = await db.Promises.AsNoTracking().SingleAsync(p => p.TicketId == ticket.Id && p.Kind == Rapport.Features.Promises.PromiseKind.Call, Ct);
        promise.Text.ShouldBe("Call tomorrow");
        promise.Status.ShouldBe(Rapport.Features.Promises.PromiseStatus.Open);
        (await db.TicketEvents.AsNoTracking().CountAsync(e => e.TicketId == ticket.Id && e.Kind == TicketEventKind.PromiseMade, Ct)).ShouldBe(1);
    }

    [Fact]
    public async Task Tags_AddedAtOnceWithoutIfMatch_AreAllKept()
    {
        var client = await ClientAsync();
        var ticket = await CreateAsync(client, NewTicket());

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            client.PatchJsonAsync($"/api/v1/tickets/{ticket.Id}", new { addTags = new[] { $"part-{i}" } })));

        foreach (var result in results)
        {
            await result.ShouldHaveStatusAsync(HttpStatusCode.OK);
        }
        var details = await (await client.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDetails>();
        details.Tags.Order().ShouldBe(Enumerable.Range(0, 8).Select(i => $"part-{i}").Order());
    }

    [Fact]
    public async Task Reply_StampsFirstResponseOnce_AndWaitsOnCustomer()
    {
        var client = await ClientAsync();
        var ticket = await CreateAsync(client, NewTicket());

        var note = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/notes", new { text = "Checking the courier" });
        App.Time.Advance(TimeSpan.FromMinutes(3));
        var first = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = "It ships today.", html = "<p>It ships <b>today</b>.<script>alert(1)</script></p>" });
        App.Time.Advance(TimeSpan.FromMinutes(3));
        var second = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = "Tracking: 123" });

        await note.ShouldHaveStatusAsync(HttpStatusCode.Created);
        await first.ShouldHaveStatusAsync(HttpStatusCode.Created);
        await second.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var reply = await first.ReadAsync<MessageDetails>();
        reply.Html.ShouldBe("<p>It ships <b>today</b>.</p>");
        var details = await (await client.GetAsync($"/api/v1/tickets/{ticket.Id}")).ReadAsync<TicketDetails>();
        details.FirstResponseAt.ShouldBe(reply.CreatedAt);
        details.Status.ShouldBe(TicketStatus.WaitingOnCustomer);
        details.Messages.Select(m => m.Kind).ShouldBe([MessageKind.Customer, MessageKind.Note, MessageKind.Reply, MessageKind.Reply]);
    }

    [Fact]
    public async Task Reply_ToClosedTicket_Returns409_ButNotesAreAllowed()
    {
        var client = await ClientAsync();
        var ticket = await CreateAsync(client, NewTicket());
        await (await client.PatchJsonAsync($"/api/v1/tickets/{ticket.Id}", new { status = "closed" })).ShouldHaveStatusAsync(HttpStatusCode.OK);

        var reply = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = "Hello again" });
        var note = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/notes", new { text = "For the record" });

        await reply.ShouldHaveStatusAsync(HttpStatusCode.Conflict);
        (await reply.ReadAsync<ProblemDetails>()).Extensions["code"]!.ToString().ShouldBe("ticket-closed");
        await note.ShouldHaveStatusAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Reply_UnknownTicket_Returns404()
    {
        var client = await ClientAsync();

        (await client.PostJsonAsync("/api/v1/tickets/987654321/replies", new { text = "x" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}

public sealed class TicketsApiTests_Sqlite(SqliteRapportFactory app) : TicketsApiTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class TicketsApiTests_Postgres(PostgresRapportFactory app) : TicketsApiTests(app), IClassFixture<PostgresRapportFactory>;
