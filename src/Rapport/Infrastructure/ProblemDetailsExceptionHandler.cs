using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Rapport.Features.Customers;
using Rapport.Features.Tickets;

namespace Rapport.Infrastructure;

/// <summary>Maps the few exceptions thrown on purpose to ProblemDetails: business-rule refusals (409 with a
/// code), a caller a use case refused (403), concurrency conflicts (409) and unreadable request bodies (400 naming the JSON path).
/// Anything else stays a 500 without internals.</summary>
public sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var problem = exception switch
        {
            TicketRuleException e when IsInputError(e.Code) => Problem(StatusCodes.Status400BadRequest, "The request is not valid", e.Message, e.Code),
            CustomerRuleException e when IsInputError(e.Code) => Problem(StatusCodes.Status400BadRequest, "The request is not valid", e.Message, e.Code),
            Features.Jobs.JobRuleException e when IsInputError(e.Code) => Problem(StatusCodes.Status400BadRequest, "The request is not valid", e.Message, e.Code),
            Features.Jobs.JobRuleException e => Problem(StatusCodes.Status409Conflict, "The job cannot change this way", e.Message, e.Code),
            TicketRuleException e => Problem(StatusCodes.Status409Conflict, "The ticket cannot change this way", e.Message, e.Code),
            CustomerRuleException e => Problem(StatusCodes.Status409Conflict, "The customer cannot change this way", e.Message, e.Code),
            Features.Agents.NotAllowedException e => Problem(StatusCodes.Status403Forbidden, "Not allowed", e.Message, "not-allowed"),
            DbUpdateConcurrencyException => Problem(StatusCodes.Status409Conflict, "Someone else changed this first",
                "The record changed since you read it. Reload it and apply your change again.", "concurrency-conflict"),
            BadHttpRequestException e => BadRequest(e),
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }
        context.Response.StatusCode = problem.Status!.Value;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    // Rules about the input itself (a missing subject, a malformed address) are the caller's mistake, not a
    // conflict with the record's state.
    private static bool IsInputError(string code) => code.EndsWith("-required", StringComparison.Ordinal) || code.EndsWith("-invalid", StringComparison.Ordinal);

    private static ProblemDetails Problem(int status, string title, string detail, string code) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Extensions = { ["code"] = code },
    };

    private static string HintFor(string path)
    {
        var name = path.Split('.', '[')[^1].TrimEnd(']');
        var allowed = name switch
        {
            "priority" => "low, normal, high or urgent",
            "status" => "new, open, waiting-on-customer, resolved or closed",
            "channel" => "api, email, web-form, portal, phone or agent",
            "scope" => "read or write",
            _ => null,
        };
        return allowed is null
            ? $"The value at {path} could not be read: check its type (text, number, list…) and the JSON syntax."
            : $"The value at {path} must be one of {allowed}.";
    }

    private static ProblemDetails BadRequest(BadHttpRequestException e)
    {
        if (e.InnerException is JsonException json)
        {
            var field = string.IsNullOrEmpty(json.Path) ? "$" : json.Path;
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [HintFor(field)] })
            {
                Status = e.StatusCode,
                Title = "The request body is not valid JSON for this endpoint",
            };
        }
        return new ProblemDetails
        {
            Status = e.StatusCode,
            Title = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request is too large" : "The request could not be read",
            Detail = e.Message,
        };
    }
}
