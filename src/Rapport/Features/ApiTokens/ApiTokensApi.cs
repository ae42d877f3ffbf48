using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Infrastructure;

namespace Rapport.Features.ApiTokens;

/// <summary>Token management for the owner. The plain token is returned once, at creation.</summary>
public static class ApiTokensApi
{
    public sealed record CreateRequest
    {
        [Required, StringLength(ApiToken.NameMaxLength)]
        public string Name { get; init; } = "";

        [Required]
        public ApiTokenScope Scope { get; init; }
    }

    public sealed record TokenInfo(int Id, string Name, ApiTokenScope Scope, DateTime CreatedAt, DateTime? RevokedAt, DateTime? LastUsedAt);

    public sealed record CreatedToken(TokenInfo Info, string Token);

    public static IHostApplicationBuilder AddApiTokens(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ManageApiTokens>();
        return builder;
    }

    public static IEndpointRouteBuilder MapApiTokensApi(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/v1/tokens").WithTags("API tokens").RequireAuthorization(Policies.Owner);
        tokens.MapGet("/", ListAsync).WithSummary("All API tokens (never their secrets)");
        tokens.MapPost("/", CreateAsync).WithSummary("Create a token; the response shows it once");
        tokens.MapDelete("/{id:int}", RevokeAsync).WithSummary("Revoke a token");
        return app;
    }

    private static async Task<Ok<List<TokenInfo>>> ListAsync(RapportDb db, CancellationToken ct) =>
        TypedResults.Ok(await db.ApiTokens.AsNoTracking().OrderBy(t => t.Id)
            .Select(t => new TokenInfo(t.Id, t.Name, t.Scope, t.CreatedAt, t.RevokedAt, t.LastUsedAt)).ToListAsync(ct));

    private static async Task<Created<CreatedToken>> CreateAsync(CreateRequest request, ManageApiTokens manage, HttpContext http, CancellationToken ct)
    {
        var (token, plain) = await manage.CreateAsync(request.Name, request.Scope, http.User.ToActor(), ct);
        var info = new TokenInfo(token.Id, token.Name, token.Scope, token.CreatedAt, token.RevokedAt, token.LastUsedAt);
        return TypedResults.Created($"/api/v1/tokens/{token.Id}", new CreatedToken(info, plain));
    }

    private static async Task<Results<NoContent, NotFound>> RevokeAsync(int id, ManageApiTokens manage, HttpContext http, CancellationToken ct) =>
        await manage.RevokeAsync(id, http.User.ToActor(), ct) ? TypedResults.NoContent() : TypedResults.NotFound();
}
