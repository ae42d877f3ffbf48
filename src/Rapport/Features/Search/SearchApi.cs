using Microsoft.AspNetCore.Http.HttpResults;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Features.Search;

public static class SearchApi
{
    public sealed record SearchItem(TicketSummary Ticket, long? MessageId, string? Snippet, IReadOnlyList<SnippetMark> Marks);

    public static IHostApplicationBuilder AddSearch(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SearchIndexer>();
        builder.Services.AddSingleton<SearchTickets>();
        if (builder.Configuration.GetValue("Search:Background", true))
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<SearchIndexer>());
        }
        return builder;
    }

    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/search", SearchAsync).WithTags("Search").RequireAuthorization(Policies.Read)
            .WithSummary("Search tickets: words, \"phrases\", -excluded, prefix*, and filters such as status:open tag:billing from:ann@example.com after:2026-01-31 #1234")
            .WithDescription("Results are ranked by relevance and recency, each with the message that matched and a snippet of it (marks: where the searched words are). "
                + "Without words, the filters' tickets come newest activity first. Pass next as after for the following page.");
        return app;
    }

    private static async Task<Results<Ok<Page<SearchItem>>, ValidationProblem>> SearchAsync(SearchTickets search, HttpContext http,
        CancellationToken ct, string? q = null, int? limit = null, string? after = null)
    {
        if (limit is < 1 or > SearchTickets.MaxLimit)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {SearchTickets.MaxLimit}."] });
        }
        var result = await search.ForAgentAsync(q, http.User.ToActor(), customerId: null, limit ?? 25, after, ct);
        if (result.Page is not { } page)
        {
            var key = result.Error!.StartsWith("The after value", StringComparison.Ordinal) ? "after" : "q";
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [key] = [result.Error] });
        }
        return TypedResults.Ok(new Page<SearchItem>([.. page.Items.Select(i => new SearchItem(i.Ticket, i.MessageId, i.Snippet?.Text, i.Snippet?.Marks ?? []))], page.Next));
    }
}
