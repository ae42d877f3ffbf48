namespace Rapport.BrowserTests.Infrastructure;

/// <summary>One headless Chromium for the whole run: Debian's, named by RAPPORT_TEST_CHROMIUM (./test.sh sets it).
/// Without it the browser tests are skipped, visibly.</summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string Variable = "RAPPORT_TEST_CHROMIUM";

    private IPlaywright? _playwright;

    public static string? ExecutablePath { get; } = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path ? path : null;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (ExecutablePath is null)
        {
            return;
        }
        // The whole suite shares two cores with the app, PostgreSQL and the mail server: give expectations the same
        // patience as actions (15 s) instead of Playwright's 5 s, which a busy machine sometimes needs.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // No sandbox when run as root (CI); nothing reaches for the network beyond the app on loopback.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Browser.DisposeAsync();
            _playwright.Dispose();
        }
    }
}
