using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rapport.Data;
using Rapport.Features.Tickets;
using Rapport.Infrastructure;

namespace Rapport.Features.Attachments;

public static class AttachmentsApi
{
    public static IHostApplicationBuilder AddAttachments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AttachmentOptions>().BindConfiguration(AttachmentOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<FileStore>();
        builder.Services.AddSingleton<UploadAttachment>();
        builder.Services.AddHostedService<TemporaryFileSweeper>();
        return builder;
    }

    public static IEndpointRouteBuilder MapAttachmentsApi(this IEndpointRouteBuilder app)
    {
        var maxSize = app.ServiceProvider.GetRequiredService<IOptions<AttachmentOptions>>().Value.MaxSize;
        var group = app.MapGroup("/api/v1/attachments").WithTags("Attachments").RequireAuthorization(Policies.Read);
        group.MapPost("/", UploadAsync)
            .RequireAuthorization(Policies.Write)
            .DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(maxSize + 64 * 1024))
            .WithSummary("Upload a file (multipart/form-data, field \"file\") to attach to a reply, note or new ticket");
        group.MapGet("/{id:long}", GetAsync).WithSummary("An attachment's details");
        group.MapGet("/{id:long}/content", DownloadAsync).WithSummary("An attachment's bytes");
        return app;
    }

    private static async Task<Results<Created<AttachmentInfo>, ValidationProblem>> UploadAsync(
        IFormFile? file, UploadAttachment upload, HttpContext http, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = ["Send the file as multipart/form-data in a field named \"file\"; it must not be empty."] });
        }
        await using var stream = file.OpenReadStream();
        var result = await upload.HandleAsync(stream, file.FileName, file.ContentType, file.Length, http.User.ToActor(), ct);
        if (result.Error is not null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = [result.Error] });
        }
        var info = AttachmentInfo.Of(result.Attachment!);
        return TypedResults.Created($"/api/v1/attachments/{info.Id}", info);
    }

    private static async Task<Results<Ok<AttachmentInfo>, NotFound>> GetAsync(long id, RapportDb db, CancellationToken ct)
    {
        var attachment = await db.Attachments.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        return attachment is null ? TypedResults.NotFound() : TypedResults.Ok(AttachmentInfo.Of(attachment));
    }

    private static async Task<Results<FileStreamHttpResult, NotFound>> DownloadAsync(long id, bool? inline, RapportDb db, FileStore store,
        HttpContext http, CancellationToken ct)
    {
        var attachment = await db.Attachments.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        var stream = attachment is null ? null : store.OpenRead(attachment.Sha256);
        if (attachment is null || stream is null)
        {
            return TypedResults.NotFound();
        }
        // Never let an uploaded file run as a page of ours: no sniffing, a sandbox, and a download unless the
        // type is one browsers only display.
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'";
        var showInline = inline == true && UploadPolicy.IsSafeInline(attachment.ContentType);
        return TypedResults.File(stream, attachment.ContentType, showInline ? null : attachment.FileName,
            entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{attachment.Sha256}\""), enableRangeProcessing: true);
    }
}

/// <summary>At start, removes temporary files an earlier run left when it was killed mid-write. Only those older than an
/// hour: another app node sharing the data directory may be writing one right now.</summary>
internal sealed partial class TemporaryFileSweeper(FileStore files, TimeProvider time, ILogger<TemporaryFileSweeper> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var removed = files.SweepTemporary(TimeSpan.FromHours(1), time.GetUtcNow().UtcDateTime);
        if (removed > 0)
        {
            LogSwept(removed);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} temporary files left by an interrupted write")]
    private partial void LogSwept(int count);
}
