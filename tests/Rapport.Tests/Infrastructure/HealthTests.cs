using System.Net;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Infrastructure;

public abstract class HealthTests(RapportFactory app) : DatabaseTests(app)
{
    [Fact]
    public async Task Live_answers_200_without_signing_in()
    {
        using var client = App.CreateClient();

        using var response = await client.GetAsync("/health/live", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Ready_answers_200_when_the_database_answers()
    {
        using var client = App.CreateClient();

        using var response = await client.GetAsync("/health/ready", Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(Ct)).ShouldBe("Healthy");
    }
}

public sealed class HealthTests_Sqlite(SqliteRapportFactory app) : HealthTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class HealthTests_Postgres(PostgresRapportFactory app) : HealthTests(app), IClassFixture<PostgresRapportFactory>;
