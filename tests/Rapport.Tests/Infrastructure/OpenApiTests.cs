using System.Net;
using System.Text.Json;

namespace Rapport.Tests.Infrastructure;

public abstract class OpenApiTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task Document_DescribesTheApi_AndTheReferencePageLoads()
    {
        using var client = App.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json", Ct));
        var docs = await client.GetAsync("/api/docs/", Ct);

        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldContain("/api/v1/tickets");
        paths.ShouldContain("/api/v1/tickets/{id}");
        paths.ShouldContain("/api/v1/customers/{id}/merge");
        paths.ShouldContain("/api/v1/attachments");
        docs.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await docs.Content.ReadAsStringAsync(Ct)).ShouldContain("openapi/v1.json");
    }
}

public sealed class OpenApiTests_Sqlite(SqliteRapportFactory app) : OpenApiTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class OpenApiTests_Postgres(PostgresRapportFactory app) : OpenApiTests(app), IClassFixture<PostgresRapportFactory>;
