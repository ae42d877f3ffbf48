using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Rapport.Features.Agents;
using Rapport.Features.Mail;
using Rapport.Infrastructure;

namespace Rapport.Tests.Infrastructure;

/// <summary>Data Protection keys (sign-in cookies, mailbox passwords) live in the database, encrypted with the
/// key-encryption key from configuration: app nodes with their own data directories share them, a restart keeps them,
/// and the plain key files of an older install are moved in (docs/decisions/0064).</summary>
public abstract class DataProtectionKeyTests(RapportFactory app) : DatabaseTests(app)
{
    private const string ImapPassword = "imap-secret-123";

    private readonly List<string> _directories = [];

    /// <summary>Another app node on the fixture's database, with its own data directory (and clock).</summary>
    protected WebApplicationFactory<Program> Node(string dataDirectory, string? keyEncryptionKey = null, Action<IServiceCollection>? services = null) =>
        App.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Data:Directory", dataDirectory);
            if (App is SqliteRapportFactory sqlite)
            {
                builder.UseSetting("ConnectionStrings:Rapport", $"Data Source={sqlite.DatabaseFile}");
            }
            if (keyEncryptionKey is not null)
            {
                builder.UseSetting("KeyProtection:Key", keyEncryptionKey);
            }
            if (services is not null)
            {
                builder.ConfigureServices(services);
            }
        });

    protected string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"rapport-node-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        _directories.Add(directory);
        return directory;
    }

    protected static HttpClient Client(WebApplicationFactory<Program> node, CookieContainer cookies)
    {
        var client = node.CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies));
        client.DefaultRequestHeaders.Add(Http.CsrfHeader, "1");
        return client;
    }

    /// <summary>Signs the agent in on one node; the cookies can then be sent to any node.</summary>
    protected static async Task<CookieContainer> SignInAsync(WebApplicationFactory<Program> node, Agent agent)
    {
        var cookies = new CookieContainer();
        using var client = Client(node, cookies);
        var response = await Http.SubmitFormAsync(client, "/account/login", "login", new()
        {
            ["Input.Email"] = agent.Email!,
            ["Input.Password"] = RapportFactory.AgentPassword,
        });
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return cookies;
    }

    protected static async Task<HttpStatusCode> MailboxListStatusAsync(WebApplicationFactory<Program> node, CookieContainer cookies)
    {
        using var client = Client(node, cookies);
        using var response = await client.GetAsync("/api/v1/mailboxes", Ct);
        return response.StatusCode;
    }

    /// <summary>Adds a mailbox with an IMAP password through the node; returns the password as stored.</summary>
    protected async Task<string> SaveMailboxAsync(WebApplicationFactory<Program> node, CookieContainer cookies)
    {
        using var client = Client(node, cookies);
        var name = $"keys-{Guid.NewGuid():N}"[..20];
        var response = await client.PostJsonAsync("/api/v1/mailboxes", new
        {
            name,
            address = $"{name}@shop.example",
            imap = new { host = "127.0.0.1", port = 9, security = "none", user = "support", password = ImapPassword },
        });
        await response.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var id = (await response.ReadAsync<MailboxDetails>()).Id;
        await using var db = App.CreateDbContext();
        return (await db.Mailboxes.AsNoTracking().SingleAsync(m => m.Id == id, Ct)).ImapPasswordProtected!;
    }

    protected static string? Read(WebApplicationFactory<Program> node, string protectedPassword) =>
        node.Services.GetRequiredService<MailboxSecrets>().Unprotect(protectedPassword);

    [Fact]
    public async Task StoredKeys_AreEncryptedWithTheKeyEncryptionKey_AndNoKeyFilesAreWritten()
    {
        using var owner = await App.SignedInClientAsync(await App.CreateAgentAsync(AgentRoles.Owner));

        await using var db = App.CreateDbContext();
        var keys = await db.DataProtectionKeys.AsNoTracking().Where(k => k.FriendlyName!.StartsWith("key-")).ToListAsync(Ct);

        keys.ShouldNotBeEmpty();
        var fingerprint = KeyEncryptionKey.Fingerprint(Convert.FromBase64String(RapportFactory.KeyEncryptionKey));
        // Every stored key is encrypted; this node's with its key-encryption key (another test of this class starts a node
        // with another key, which stores a key of its own in the same database).
        keys.ShouldAllBe(k => !k.Xml!.Contains("masterKey") && k.Xml.Contains("keyEncryptionKey=\""));
        keys.ShouldContain(k => k.Xml!.Contains($"keyEncryptionKey=\"{fingerprint}\""));
        var data = App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DataOptions>>().Value.FullPath;
        Directory.Exists(Path.Combine(data, "keys")).ShouldBeFalse();
        App.Logs.Entries.ShouldNotContain(e => e.Message.Contains(RapportFactory.KeyEncryptionKey));
    }

    [Fact]
    public async Task SecondNode_OwnDataDirectory_AcceptsTheCookieAndReadsTheOtherNodesMailboxPasswords()
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner);
        var cookies = await SignInAsync(App, owner);
        var savedByFirst = await SaveMailboxAsync(App, cookies);
        await using var second = Node(NewDirectory());

        var status = await MailboxListStatusAsync(second, cookies);
        var savedBySecond = await SaveMailboxAsync(second, await SignInAsync(second, owner));

        status.ShouldBe(HttpStatusCode.OK, "the cookie the first node issued");
        Read(second, savedByFirst).ShouldBe(ImapPassword);
        Read(App, savedBySecond).ShouldBe(ImapPassword);
    }

    [Fact]
    public async Task Restart_SameKey_ReadsMailboxPasswordsAndAcceptsTheEarlierCookie()
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner);
        var data = NewDirectory();
        CookieContainer cookies;
        string saved;
        await using (var before = Node(data))
        {
            cookies = await SignInAsync(before, owner);
            saved = await SaveMailboxAsync(before, cookies);
        }

        await using var after = Node(data);

        (await MailboxListStatusAsync(after, cookies)).ShouldBe(HttpStatusCode.OK);
        Read(after, saved).ShouldBe(ImapPassword);
    }

    [Fact]
    public async Task OtherKeyEncryptionKey_RefusesCookiesAndPasswords_SaysSoAndKeepsTheKeys()
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner);
        var cookies = await SignInAsync(App, owner);
        var saved = await SaveMailboxAsync(App, cookies);
        int stored;
        await using (var db = App.CreateDbContext())
        {
            stored = await db.DataProtectionKeys.CountAsync(Ct);
        }

        await using var other = Node(NewDirectory(), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        using var plain = other.CreateClient();
        var ready = await plain.GetStringAsync("/health/ready", Ct);

        (await MailboxListStatusAsync(other, cookies)).ShouldBe(HttpStatusCode.Unauthorized);
        Should.Throw<CryptographicException>(() => Read(other, saved));
        ready.ShouldBe("Degraded");
        var test = await TestFirstMailboxAsync(other, owner);
        test.ShouldContain("The key that encrypted this password is missing");
        await using var after = App.CreateDbContext();
        (await after.DataProtectionKeys.CountAsync(Ct)).ShouldBeGreaterThanOrEqualTo(stored, "nothing was deleted");
        Read(App, saved).ShouldBe(ImapPassword, "the node with the right key still reads it");
    }

    private async Task<string> TestFirstMailboxAsync(WebApplicationFactory<Program> node, Agent owner)
    {
        using var client = Client(node, await SignInAsync(node, owner));
        var boxes = await (await client.GetAsync("/api/v1/mailboxes", Ct)).ReadAsync<List<MailboxDetails>>();
        var response = await client.PostAsync($"/api/v1/mailboxes/{boxes[0].Id}/test", null, Ct);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    [Fact]
    public async Task Upgrade_PlainKeyFilesInTheDataDirectory_AreMovedIntoTheDatabaseAndStillOpenWhatTheyProtected()
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner);
        var data = NewDirectory();
        var keys = Path.Combine(data, "keys");
        CookieContainer cookies;
        string saved;
        // An install from before: plain XML key files in <data>/keys, as PersistKeysToFileSystem wrote them.
        await using (var old = Node(data, services: s => s.Configure<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(keys), NullLoggerFactory.Instance);
            o.XmlEncryptor = null;
        })))
        {
            cookies = await SignInAsync(old, owner);
            saved = await SaveMailboxAsync(old, cookies);
        }
        var files = Directory.GetFiles(keys, "key-*.xml");
        files.ShouldNotBeEmpty();
        (await File.ReadAllTextAsync(files[0], Ct)).ShouldContain("masterKey");

        await using var upgraded = Node(data);

        (await MailboxListStatusAsync(upgraded, cookies)).ShouldBe(HttpStatusCode.OK, "the cookie from before the upgrade");
        Read(upgraded, saved).ShouldBe(ImapPassword);
        Directory.Exists(keys).ShouldBeFalse("the plain key files are gone");
        await using var db = App.CreateDbContext();
        var names = files.Select(Path.GetFileNameWithoutExtension).ToList();
        var imported = await db.DataProtectionKeys.AsNoTracking().Where(k => names.Contains(k.FriendlyName)).ToListAsync(Ct);
        imported.Count.ShouldBe(files.Length);
        imported.ShouldAllBe(k => !k.Xml!.Contains("masterKey"));
    }

    [Fact]
    public async Task Upgrade_TwoNodesWithCopiesOfTheSameKeyFilesStartTogether_EachKeyIsStoredOnce()
    {
        var first = NewDirectory();
        var second = NewDirectory();
        await using (var old = Node(first, services: s => s.Configure<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(Path.Combine(first, "keys")), NullLoggerFactory.Instance);
            o.XmlEncryptor = null;
        })))
        {
            _ = old.Services;
        }
        var files = Directory.GetFiles(Path.Combine(first, "keys"));
        Directory.CreateDirectory(Path.Combine(second, "keys"));
        foreach (var file in files)
        {
            File.Copy(file, Path.Combine(second, "keys", Path.GetFileName(file)));
        }

        await using var one = Node(first);
        await using var two = Node(second);
        await Task.WhenAll(Task.Run(() => one.Services), Task.Run(() => two.Services));

        await using var db = App.CreateDbContext();
        var names = files.Select(Path.GetFileNameWithoutExtension).ToList();
        (await db.DataProtectionKeys.CountAsync(k => names.Contains(k.FriendlyName), Ct)).ShouldBe(files.Length);
        Directory.Exists(Path.Combine(first, "keys")).ShouldBeFalse();
        Directory.Exists(Path.Combine(second, "keys")).ShouldBeFalse();
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var directory in _directories.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
        return ValueTask.CompletedTask;
    }
}

public sealed class DataProtectionKeyTests_Sqlite(SqliteRapportFactory app) : DataProtectionKeyTests(app), IClassFixture<SqliteRapportFactory>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CopiedDataFolder_WithAnotherOrNoKeyEncryptionKey_CannotReadMailboxPasswords(bool anotherKey)
    {
        var owner = await App.CreateAgentAsync(AgentRoles.Owner);
        var saved = await SaveMailboxAsync(App, await SignInAsync(App, owner));
        var copy = NewDirectory();
        await using (var db = App.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)", Ct);
        }
        foreach (var file in Directory.GetFiles(app.DataDirectory))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }
        // No key configured: the default key file, here in a folder of the test's own instead of the home folder.
        var keyFile = Path.Combine(NewDirectory(), "config", "key-encryption.key");

        await using var thief = App.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Data:Directory", copy);
            builder.UseSetting("KeyProtection:Key", anotherKey ? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) : "");
            builder.UseSetting("KeyProtection:KeyFile", keyFile);
        });
        _ = thief.Services;

        Should.Throw<CryptographicException>(() => Read(thief, saved));
        File.Exists(keyFile).ShouldBe(!anotherKey);
        await using var stolen = new Rapport.Data.SqliteRapportDb(new DbContextOptionsBuilder<Rapport.Data.SqliteRapportDb>()
            .UseSqlite($"Data Source={Path.Combine(copy, "rapport.db")};Pooling=False").Options);
        (await stolen.DataProtectionKeys.Select(k => k.Xml).ToListAsync(Ct)).ShouldAllBe(xml => !xml!.Contains("masterKey"));
    }
}

public sealed class DataProtectionKeyTests_Postgres(PostgresRapportFactory app) : DataProtectionKeyTests(app), IClassFixture<PostgresRapportFactory>;
