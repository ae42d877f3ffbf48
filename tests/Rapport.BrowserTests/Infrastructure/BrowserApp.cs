using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Features.Agents;
using Rapport.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(Rapport.BrowserTests.Infrastructure.Chromium))]

namespace Rapport.BrowserTests.Infrastructure;

/// <summary>The whole app served over real HTTP (Kestrel on a free loopback port) on one database, for a browser.
/// Used as a class fixture; each test opens its own browser contexts (separate cookies) with <see cref="NewPageAsync"/>.</summary>
public abstract class BrowserApp(RapportFactory factory) : IAsyncLifetime
{
    public RapportFactory Factory { get; } = factory;

    public Uri BaseAddress { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (Chromium.ExecutablePath is null || Factory.SkipReason is not null)
        {
            return;
        }
        await Factory.InitializeAsync();
        // The browser keeps real time: cookies issued at the fake clock's default start would arrive already expired.
        Factory.Time.SetUtcNow(TimeProvider.System.GetUtcNow());
        // Each read moves the app's clock a little, so that events keep their order as they would in real life.
        Factory.Time.AutoAdvanceAmount = TimeSpan.FromMilliseconds(1);
        // Outside Development the framework's script and our stylesheet come from the build's static web assets manifest.
        Factory.ConfigureHost = builder => builder.UseStaticWebAssets();
        Factory.UseKestrel(0);
        Factory.StartServer();
        BaseAddress = Factory.ClientOptions.BaseAddress;
        // Links in mail start with the desk's public address: here, where the browser reaches this server.
        Factory.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()[Rapport.Features.Settings.PublicAddress.ConfigurationKey] =
            BaseAddress.ToString().TrimEnd('/');
    }

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();

    /// <summary>Waits until an interactive workspace page is live (its circuit connected), and its keyboard shortcuts bound when it has some.</summary>
    public static Task WaitForLiveAsync(IPage page, bool shortcuts = false) =>
        page.Locator(shortcuts ? "html[data-live=on][data-shortcuts=on]" : "html[data-live=on]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    /// <summary>Skips the running test, visibly, when there is no browser or no database for it.</summary>
    public void SkipWhenUnavailable()
    {
        Assert.SkipWhen(Chromium.ExecutablePath is null, $"No browser: set {Chromium.Variable} to a Chromium executable (./test.sh does)");
        Factory.SkipWhenUnavailable();
    }

    /// <summary>A page in a fresh browser context (its own cookies), with the app as base address. Dispose the context.</summary>
    public async Task<IPage> NewPageAsync(IBrowser browser)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString().TrimEnd('/'),
            Locale = "en-GB",
            TimezoneId = "Europe/London",
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>Signs the agent in through the sign-in page and waits for the inbox.</summary>
    public static async Task SignInAsync(IPage page, Agent agent)
    {
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(agent.Email!);
        await page.GetByLabel("Password").FillAsync(RapportFactory.AgentPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));
    }
}

public sealed class SqliteBrowserApp() : BrowserApp(new SqliteRapportFactory());

public sealed class PostgresBrowserApp() : BrowserApp(new PostgresRapportFactory());

/// <summary>Base of browser test classes: the app (one per class), the shared browser, and the test's cancellation token.</summary>
public abstract class PageTests(BrowserApp app, Chromium chromium) : IAsyncLifetime
{
    private readonly List<IBrowserContext> _contexts = [];

    protected BrowserApp App { get; } = app;

    protected RapportFactory Factory => App.Factory;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual ValueTask InitializeAsync()
    {
        App.SkipWhenUnavailable();
        return ValueTask.CompletedTask;
    }

    /// <summary>A page in a fresh browser context, closed after the test.</summary>
    protected async Task<IPage> NewPageAsync()
    {
        var page = await App.NewPageAsync(chromium.Browser);
        _contexts.Add(page.Context);
        return page;
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }
    }
}
