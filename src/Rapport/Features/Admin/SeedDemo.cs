using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Customers;
using Rapport.Features.Setup;
using Rapport.Features.Tickets;

namespace Rapport.Features.Admin;

/// <summary>A small, realistic sample desk to try Rapport with: three agents, a dozen customers and their
/// tickets in every status, spread over the last three weeks. Runs once; a second run changes nothing.</summary>
public sealed class SeedDemo(RapportDb db, UserManager<Agent> users, RoleManager<IdentityRole<int>> roles,
    MessageContent content, Sla.SlaClock clock, TimeProvider time)
{
    public const string DemoPassword = "demo-password";
    private const string Marker = "demo";

    private static readonly (string Name, string Email, string Role)[] Agents =
    [
        ("Dana Whitfield", "dana@demo.rapport.test", AgentRoles.Agent),
        ("Sam Okafor", "sam@demo.rapport.test", AgentRoles.Agent),
        ("Riley Chen", "riley@demo.rapport.test", AgentRoles.ReadOnly),
    ];

    private static readonly (string Name, string Email, string? Organization, string? Phone)[] People =
    [
        ("Maria Gonzalez", "maria.gonzalez@example.com", "Gonzalez Bakery", "+1 555 0101"),
        ("Tom Becker", "tom.becker@example.org", null, null),
        ("Aisha Rahman", "aisha@rahman-design.example", "Rahman Design", "+44 20 7946 0102"),
        ("Lukas Novak", "lukas.novak@example.net", null, "+420 555 0103"),
        ("Emily Carter", "emily.carter@example.com", "Carter & Sons Plumbing", null),
        ("Hiroshi Tanaka", "h.tanaka@example.jp", null, null),
        ("Fatima Ali", "fatima.ali@example.com", "Green Leaf Cafe", "+1 555 0107"),
        ("Oliver Smith", "oliver.smith@example.co.uk", null, null),
        ("Sofia Rossi", "sofia.rossi@example.it", "Rossi Architects", null),
        ("Kwame Mensah", "kwame@example.com", null, "+233 555 0110"),
        ("Chloe Martin", "chloe.martin@example.fr", null, null),
        ("Daniel Kim", "daniel.kim@example.com", "Kim Dental", "+1 555 0112"),
    ];

    private static readonly (string Subject, string Body, string[] Tags, TicketPriority Priority)[] Requests =
    [
        ("Charged twice for my March invoice", "Hi,\n\nI was charged twice for invoice 2291 this month. Can you refund the second charge? When will I see the money back?\n\nThanks,\nMaria", ["billing", "refund"], TicketPriority.High),
        ("Can't log in since the update", "Since yesterday's update the app says my password is wrong, but I reset it twice already. I need to get into my account today to send quotes.", ["login"], TicketPriority.Urgent),
        ("Where is my order #48213?", "The tracking page hasn't changed for five days. Could you check where my parcel is?", ["shipping"], TicketPriority.Normal),
        ("Question about the annual plan", "Is there a discount if we switch to yearly billing? And can we add two more seats later?", ["sales"], TicketPriority.Low),
        ("Invoice address is wrong", "Please change the address on our invoices to 12 Harbour Street, Leith. The old one is still showing.", ["billing"], TicketPriority.Normal),
        ("Appointment on Thursday", "I need to move my Thursday appointment to next week if possible. Any time after 2pm works.", ["appointments"], TicketPriority.Normal),
        ("The export is missing columns", "When I export the customer list to CSV, the phone and notes columns are empty although the data is there.", ["bug", "export"], TicketPriority.High),
        ("Thank you!", "Just wanted to say the new booking page works great. Our customers love it.", ["feedback"], TicketPriority.Low),
        ("Very unhappy with the repair", "This is the second time the same leak came back within a month. I expect someone to come and fix it properly, at no cost.", ["complaint", "warranty"], TicketPriority.High),
        ("How do I add a team member?", "We hired a new assistant. How can I give her access without sharing my password?", ["how-to"], TicketPriority.Normal),
        ("Quote for kitchen renovation", "Could you send me a quote for redoing our kitchen tiles, about 12 square metres? We'd like it done before Christmas.", ["quote"], TicketPriority.Normal),
        ("Cancel my subscription", "Please cancel my subscription at the end of this billing period and confirm by email.", ["cancellation"], TicketPriority.Normal),
    ];

    public async Task<string> RunAsync(CancellationToken ct)
    {
        if (await db.TicketTags.AnyAsync(t => t.Name == Marker, ct))
        {
            return "The demo data is already there; nothing changed.";
        }
        await CompleteSetup.EnsureRolesAsync(roles);
        var now = time.GetUtcNow().UtcDateTime;
        var agents = new List<Agent>();
        foreach (var (name, email, role) in Agents)
        {
            var agent = await users.FindByEmailAsync(email);
            if (agent is null)
            {
                agent = new Agent { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name, CreatedAt = now };
                var created = await users.CreateAsync(agent, DemoPassword);
                if (!created.Succeeded)
                {
                    throw new InvalidOperationException(string.Join(" ", created.Errors.Select(e => e.Description)));
                }
                await users.AddToRoleAsync(agent, role);
            }
            agents.Add(agent);
        }
        var writers = agents.Take(2).ToList();

        var random = new Random(2026);
        var customers = new List<Customer>();
        foreach (var (name, email, organization, phone) in People)
        {
            var existing = await db.Customers.Include(c => c.Emails).FirstOrDefaultAsync(c => c.Emails.Any(e => e.Address == email), ct);
            var customer = existing ?? db.Customers.Add(Customer.Create(name, [email], now)).Entity;
            customer.SetPhone(phone, now);
            customer.SetOwner(writers[customers.Count % writers.Count].Id, now);
            if (organization is not null)
            {
                customer.SetOrganization(await db.Organizations.FirstOrDefaultAsync(o => o.Name == organization, ct) ?? new Organization(organization, now), now);
            }
            customers.Add(customer);
        }

        var statuses = new[] { TicketStatus.New, TicketStatus.Open, TicketStatus.WaitingOnCustomer, TicketStatus.Resolved, TicketStatus.Closed };
        var opened = new List<Ticket>();
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < Requests.Length; i++)
            {
                var (subject, body, tags, priority) = Requests[i];
                var customer = customers[(i + round * 5) % customers.Count];
                var openedAt = now - TimeSpan.FromHours(random.Next(2, 21 * 24));
                var firstName = customer.Name.Split(' ')[0];
                var message = Message.FromCustomer(customer, content.From(body.Replace("Maria", firstName), null, ct), openedAt);
                var ticket = Ticket.Open(customer, subject, round == 0 ? TicketChannel.Email : TicketChannel.WebForm, priority, message, Actor.System, openedAt);
                ticket.Acknowledged(); // demo customers are not real: nobody is mailed
                ticket.SetTags([.. tags, Marker], Actor.System, openedAt);
                var owner = writers[(i + round) % writers.Count];
                var actor = Actor.ForHistory(owner.Id);
                var status = statuses[(i + round * 2) % statuses.Length];
                var at = openedAt.AddMinutes(random.Next(20, 240));
                if (status != TicketStatus.New)
                {
                    ticket.Assign(owner.Id, actor, at);
                    ticket.AddNote(Message.Note(owner.Id, content.From("Checked the account history; see the customer's earlier tickets.", null, ct), at), actor, at);
                    var reply = $"Hi {firstName},\n\nThanks for getting in touch. I'm looking into this now and will come back to you with an answer by tomorrow.\n\nBest,\n{owner.DisplayName}";
                    at = at.AddMinutes(random.Next(5, 90));
                    ticket.AddReply(Message.Reply(owner.Id, content.From(reply, null, ct), at), actor, at,
                        status == TicketStatus.Open ? TicketStatus.Open : TicketStatus.WaitingOnCustomer);
                }
                if (status is TicketStatus.Resolved or TicketStatus.Closed)
                {
                    at = at.AddHours(random.Next(2, 30));
                    ticket.AddCustomerMessage(Message.FromCustomer(customer, content.From("That worked, thank you so much!", null, ct), at), ChangeChannel.Email, at);
                    ticket.ChangeStatus(status, actor, at.AddMinutes(30));
                }
                db.Tickets.Add(ticket);
                opened.Add(ticket);
            }
        }
        await clock.OpenAsync(db, opened, ct);
        await db.SaveChangesAsync(ct);
        return $"Added {agents.Count} agents (password \"{DemoPassword}\": {string.Join(", ", Agents.Select(a => $"{a.Email} ({a.Role})"))}), " +
            $"{customers.Count} customers and {opened.Count} tickets.";
    }
}
