using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;
using Rapport.Tests.Infrastructure;

namespace Rapport.BrowserTests.Features.Account;

/// <summary>The owner invites an agent by one-time link; two-factor sign-in with an authenticator app, required by the owner;
/// lockout after repeated wrong passwords; roles respected in the UI.</summary>
public abstract partial class TeamAndTwoFactorTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task Invite_AgentAcceptsOnce_ThenSignsIn()
    {
        var owner = await Factory.CreateAgentAsync(AgentRoles.Owner);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, owner);
        await page.GotoAsync("/settings");
        await BrowserApp.WaitForLiveAsync(page);
        var email = $"new+{Guid.NewGuid():N}@example.com";
        await page.Locator("#invite-name").FillAsync("Dana Newcomer");
        await page.Locator("#invite-email").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Invite" }).ClickAsync();
        var link = await page.Locator("#invite-link").InputValueAsync();
        await Assertions.Expect(page.Locator($"tr[data-agent='{email}']")).ToContainTextAsync("Invited");

        var newcomer = await NewPageAsync();
        await newcomer.GotoAsync(link);
        await newcomer.GetByLabel("Password", new() { Exact = false }).First.FillAsync("a-long-password-1");
        await newcomer.GetByLabel("Repeat the password").FillAsync("a-long-password-1");
        await newcomer.GetByRole(AriaRole.Button, new() { Name = "Set password and sign in" }).ClickAsync();
        await Assertions.Expect(newcomer.Locator(".topbar .who")).ToHaveTextAsync("Dana Newcomer");

        // The link worked once.
        var again = await NewPageAsync();
        await again.GotoAsync(link);
        await Assertions.Expect(again.GetByRole(AriaRole.Heading, new() { Name = "This invitation no longer works" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task TwoFactor_RequiredByOwner_AgentSetsItUp_AndSignsInWithACode()
    {
        var owner = await Factory.CreateAgentAsync(AgentRoles.Owner);
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        await using (var db = Factory.CreateDbContext())
        {
            if (!db.BusinessProfiles.Any())
            {
                db.BusinessProfiles.Add(Rapport.Features.Settings.BusinessProfile.Create("Test Shop", "Europe/Berlin", Factory.Now));
                await db.SaveChangesAsync(Ct);
            }
        }
        try
        {
            await RequireTwoFactorThenSignInWithCodeAsync(owner, agent);
        }
        finally
        {
            // The other tests of this class share the database: switch the requirement off again.
            await using var db = Factory.CreateDbContext();
            var business = db.BusinessProfiles.Single();
            business.SetTwoFactorRequirement(false, Factory.Now);
            await db.SaveChangesAsync(Ct);
            Rapport.Infrastructure.TwoFactorRequirement.Forget(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
                .GetRequiredService<Microsoft.Extensions.Caching.Memory.IMemoryCache>(Factory.Services));
        }
    }

    private async Task RequireTwoFactorThenSignInWithCodeAsync(Agent owner, Agent agent)
    {
        var ownerPage = await NewPageAsync();
        await BrowserApp.SignInAsync(ownerPage, owner);
        await ownerPage.GotoAsync("/settings");
        await BrowserApp.WaitForLiveAsync(ownerPage);
        await ownerPage.GetByLabel("Every agent must sign in with an authenticator app").CheckAsync();
        await ownerPage.GetByRole(AriaRole.Button, new() { Name = "Save" }).First.ClickAsync();
        await Assertions.Expect(ownerPage.GetByRole(AriaRole.Alert)).ToContainTextAsync("saved");

        // The agent signs in and is sent to set up two-factor before anything else.
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, agent);
        await page.GotoAsync("/");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account/two-factor"));
        var key = (await page.GetByTestId("shared-key").TextContentAsync())!.Replace(" ", "").ToUpperInvariant();
        await page.GetByLabel("Code").FillAsync(Totp(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("recovery-codes")).ToBeVisibleAsync();
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "All open" })).ToBeVisibleAsync();

        // Next time, the password alone is not enough.
        var next = await NewPageAsync();
        await next.GotoAsync("/account/login");
        await next.GetByLabel("Email").FillAsync(agent.Email!);
        await next.GetByLabel("Password").FillAsync(RapportFactory.AgentPassword);
        await next.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(next.GetByRole(AriaRole.Heading, new() { Name = "Enter your code" })).ToBeVisibleAsync();
        await next.GetByLabel("Code").FillAsync("000000" == Totp(key) ? "111111" : "000000");
        await next.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(next.GetByRole(AriaRole.Alert)).ToContainTextAsync("not right");
        await next.GetByLabel("Code").FillAsync(Totp(key));
        await next.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(next.GetByRole(AriaRole.Heading, new() { Name = "All open" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswords_LocksTheAccount()
    {
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        await page.GotoAsync("/account/login");
        for (var i = 0; i < 5; i++)
        {
            await page.GetByLabel("Email").FillAsync(agent.Email!);
            await page.GetByLabel("Password").FillAsync($"wrong-{i}");
            // Each attempt must reach the server before the next one starts.
            await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(),
                r => r.Request.Method == "POST" && r.Url.Contains("/account/login", StringComparison.Ordinal));
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        }
        await page.GetByLabel("Email").FillAsync(agent.Email!);
        await page.GetByLabel("Password").FillAsync(RapportFactory.AgentPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("locked");
    }

    [Fact]
    public async Task ReadOnlyAgent_SeesTicketsButCannotReplyOrChangeThem()
    {
        var ticket = await Factory.OpenTicketAsync("Read only " + Guid.NewGuid().ToString("N")[..6], $"ro+{Guid.NewGuid():N}@example.org", text: "Hi");
        var reader = await Factory.CreateAgentAsync(AgentRoles.ReadOnly);
        var page = await NewPageAsync();
        await BrowserApp.SignInAsync(page, reader);
        await page.GotoAsync($"/tickets/{ticket.Id}");
        await BrowserApp.WaitForLiveAsync(page);

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = ticket.Subject })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#draft")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#status")).ToBeDisabledAsync();
        await page.GotoAsync("/settings");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Settings" })).ToHaveCountAsync(0);
    }

    /// <summary>The current RFC 6238 code (SHA-1, 30 s, 6 digits) for a base32 key, as an authenticator app computes it.</summary>
    private static string Totp(string base32Key)
    {
        var key = Base32(base32Key);
        var counter = DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;
        var message = BitConverter.GetBytes(counter);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(message);
        }
        var hash = HMACSHA1.HashData(key, message);
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var value = 0;
        var output = new List<byte>();
        foreach (var c in text.TrimEnd('='))
        {
            value = (value << 5) | alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)(value >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. output];
    }
}

public sealed class TeamAndTwoFactorTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : TeamAndTwoFactorTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class TeamAndTwoFactorTests_Postgres(PostgresBrowserApp app, Chromium chromium) : TeamAndTwoFactorTests(app, chromium), IClassFixture<PostgresBrowserApp>;
