using Rapport.BrowserTests.Infrastructure;
using Rapport.Features.Agents;

namespace Rapport.BrowserTests.Features.Account;

public abstract class SignInTests(BrowserApp app, Chromium chromium) : PageTests(app, chromium)
{
    [Fact]
    public async Task SignIn_WithPassword_ShowsTheWorkspace()
    {
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();

        await BrowserApp.SignInAsync(page, agent);

        await Assertions.Expect(page.Locator(".topbar .who")).ToHaveTextAsync(agent.DisplayName);
    }

    [Fact]
    public async Task SignIn_WithWrongPassword_SaysSoAndStays()
    {
        var agent = await Factory.CreateAgentAsync(AgentRoles.Agent);
        var page = await NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(agent.Email!);
        await page.GetByLabel("Password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        page.Url.ShouldContain("/account/login");
    }
}

public sealed class SignInTests_Sqlite(SqliteBrowserApp app, Chromium chromium) : SignInTests(app, chromium), IClassFixture<SqliteBrowserApp>;

public sealed class SignInTests_Postgres(PostgresBrowserApp app, Chromium chromium) : SignInTests(app, chromium), IClassFixture<PostgresBrowserApp>;
