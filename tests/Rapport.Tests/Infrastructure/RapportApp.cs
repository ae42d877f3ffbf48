using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.ApiTokens;
using Rapport.Features.Setup;
using Rapport.Infrastructure;

namespace Rapport.Tests.Infrastructure;

/// <summary>The whole app on a real database: SQLite in a fresh temporary directory, or a fresh PostgreSQL
/// database on the server named by RAPPORT_TEST_POSTGRES. Without that variable the PostgreSQL tests are
/// reported as skipped, never run on SQLite instead.</summary>
public abstract partial class RapportApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string PostgresVariable = "RAPPORT_TEST_POSTGRES";
    public const string Password = "a long test password";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "rapport-tests", Guid.NewGuid().ToString("N"));
    private string? _postgresDatabase;
    private string? _connectionString;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero)) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };

    public abstract DatabaseProvider Provider { get; }

    /// <summary>Why this database cannot be tested here, or null.</summary>
    public virtual string? Unavailable => null;

    /// <summary>Extra settings for this app, e.g. a small attachment limit.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    public static readonly JsonSerializerOptions Json = CreateJsonOptions();

    public virtual async ValueTask InitializeAsync()
    {
        if (Unavailable is not null)
        {
            return;
        }
        if (Provider == DatabaseProvider.Postgres)
        {
            _postgresDatabase = "rapport_test_" + Guid.NewGuid().ToString("N");
            var server = Environment.GetEnvironmentVariable(PostgresVariable)!;
            await using var connection = new NpgsqlConnection(server);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{_postgresDatabase}\"", connection);
            await command.ExecuteNonQueryAsync();
            _connectionString = new NpgsqlConnectionStringBuilder(server) { Database = _postgresDatabase, Pooling = true }.ConnectionString;
        }
        // Starting the host applies the migrations.
        _ = Server;
        await using var scope = Services.CreateAsyncScope();
        await CompleteSetup.EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<RoleManager<Microsoft.AspNetCore.Identity.IdentityRole<int>>>());
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Data:Directory", _dataDirectory);
        builder.UseSetting("Database:Provider", Provider.ToString());
        builder.UseSetting("Database:MigrateOnStartup", "true");
        builder.UseSetting("ConnectionStrings:Rapport", _connectionString ?? "");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(Environment.GetEnvironmentVariable(PostgresVariable));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        GC.SuppressFinalize(this);
    }

    /// <summary>Marks the calling test skipped when this database is not available here.</summary>
    public void SkipIfUnavailable() => Assert.SkipWhen(Unavailable is not null, Unavailable ?? "");

    public RapportDb CreateDb() => Services.GetRequiredService<IDbContextFactory<RapportDb>>().CreateDbContext();

    public async Task<string> CreateTokenAsync(ApiTokenScope scope, int? agentId = null)
    {
        var (_, plain) = await Services.GetRequiredService<ManageApiTokens>().CreateAsync($"test {Guid.NewGuid():N}", scope, agentId, CancellationToken.None);
        return plain;
    }

    public async Task<HttpClient> ClientWithTokenAsync(ApiTokenScope scope = ApiTokenScope.Write)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await CreateTokenAsync(scope));
        return client;
    }

    public async Task<Agent> CreateAgentAsync(string role, string? name = null)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Agent>>();
        var email = $"agent+{Guid.NewGuid():N}@example.com";
        var agent = new Agent { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name ?? "Agent " + email[6..12], CreatedAt = Time.GetUtcNow().UtcDateTime };
        (await users.CreateAsync(agent, Password)).Succeeded.ShouldBeTrue();
        (await users.AddToRoleAsync(agent, role)).Succeeded.ShouldBeTrue();
        return agent;
    }

    /// <summary>A client signed in through the real sign-in form, holding the agent's cookie.</summary>
    public async Task<HttpClient> SignedInClientAsync(Agent agent)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var response = await SubmitFormAsync(client, "/account/login", "login", new()
        {
            ["Input.Email"] = agent.Email!,
            ["Input.Password"] = Password,
        });
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        return client;
    }

    /// <summary>Loads a static form page and posts it back with its antiforgery token, as a browser without JavaScript would.</summary>
    public static async Task<HttpResponseMessage> SubmitFormAsync(HttpClient client, string url, string formName, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(url);
        var antiforgery = AntiforgeryField().Match(page);
        antiforgery.Success.ShouldBeTrue("the form carries an antiforgery token");
        var form = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = System.Net.WebUtility.HtmlDecode(antiforgery.Groups[1].Value),
            ["_handler"] = formName,
        };
        return await client.PostAsync(url.Split('?')[0] + (url.Contains('?') ? "?" + url.Split('?')[1] : ""), new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" (?:type=\"hidden\" )?value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        WebSetup.ConfigureJson(options);
        return options;
    }
}

public sealed class SqliteApp : RapportApp
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public class PostgresApp : RapportApp
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public override string? Unavailable => string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgresVariable))
        ? $"PostgreSQL tests need {PostgresVariable} (a connection string to a server); test.sh starts one."
        : null;
}

public static class HttpExtensions
{
    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonSerializer.Deserialize<T>(body, RapportApp.Json)!;
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"Could not read {typeof(T).Name} from {(int)response.StatusCode}: {body}", e);
        }
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: RapportApp.Json) };
        configure?.Invoke(request);
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent.Create(body, options: RapportApp.Json) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return client.SendAsync(request);
    }

    public static async Task ShouldHaveStatusAsync(this HttpResponseMessage response, System.Net.HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            throw new ShouldAssertException($"Expected {(int)status} {status} but got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
