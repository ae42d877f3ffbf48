using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Rapport.Data;
using Scalar.AspNetCore;

namespace Rapport.Infrastructure;

public static class WebSetup
{
    /// <summary>Cross-cutting web services: clock, JSON, ProblemDetails, validation, OpenAPI, health checks.</summary>
    public static IHostApplicationBuilder AddRapportWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<JsonOptions>(o => ConfigureJson(o.SerializerOptions));
        // Unreadable bodies throw, so the exception handler can say which field was wrong.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            if (context.ProblemDetails is HttpValidationProblemDetails validation)
            {
                validation.Errors = validation.Errors.ToDictionary(e => JsonFieldName(e.Key), e => e.Value);
            }
            // Routing refuses a body of a type the endpoint does not declare (JSON, a file, a raw message…) before any handler runs.
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && context.ProblemDetails.Detail is null)
            {
                context.ProblemDetails.Detail = $"This endpoint does not take a body of type '{context.HttpContext.Request.ContentType}'. " +
                    "The API reference (/api/docs) gives the type each endpoint takes, mostly application/json.";
            }
        });
        builder.Services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        builder.Services.AddValidation();
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Rapport API";
            document.Info.Description = "Tickets, customers and attachments. Authenticate with `Authorization: Bearer rpt_…` " +
                "(create a token with `Rapport token create`), or with the agent sign-in cookie; changes made with the cookie " +
                $"must also send the header `{CrossSiteRequestCheck.HeaderName}: 1`.";
            return Task.CompletedTask;
        }));
        builder.Services.AddHealthChecks().AddDbContextCheck<RapportDb>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>Validation reports C# member paths ("Customer.Email"); callers wrote JSON ("customer.email").</summary>
    private static string JsonFieldName(string key) => key.StartsWith('$') || key.Contains('-')
        ? key
        : string.Join('.', key.Split('.').Select(part => part.Length > 0 && char.IsUpper(part[0]) ? char.ToLowerInvariant(part[0]) + part[1..] : part));

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    }

    public static WebApplication MapRapportWeb(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/api/docs", o => o
            .WithTitle("Rapport API")
            .WithNonce()
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        return app;
    }
}
