using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rapport.Data;
using Rapport.Features.Agents;
using Rapport.Features.Tickets;

namespace Rapport.Features.Attachments;

/// <summary>Checks an uploaded file (size, type by name and content) and keeps it in the file store, unclaimed until a
/// message takes it. Shared by the API, the agent composer (write access needed), the contact form and the portal.</summary>
public sealed class UploadAttachment(IDbContextFactory<RapportDb> contexts, FileStore store, AgentAccess access, IOptions<AttachmentOptions> options, TimeProvider time)
{
    public long MaxSize => options.Value.MaxSize;

    public sealed record Result(Attachment? Attachment, string? Error);

    /// <summary>Stores the file. <paramref name="content"/> need not be seekable; it is read at most once past the limit.</summary>
    public async Task<Result> HandleAsync(Stream content, string fileName, string? declaredType, long? declaredLength, Actor actor, CancellationToken ct)
    {
        if (actor.CustomerId is null)
        {
            await access.RequireAsync(actor, Access.Write, ct);
        }
        var maxSize = options.Value.MaxSize;
        if (declaredLength == 0)
        {
            return new Result(null, "The file is empty.");
        }
        if (declaredLength > maxSize)
        {
            return new Result(null, $"The file is {declaredLength:N0} bytes; the limit is {maxSize:N0} bytes.");
        }
        // A seekable copy, so the type check can look at the first bytes and the store can read from the start.
        await using var buffer = content.CanSeek ? null : new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite,
            FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        var stream = content;
        if (buffer is not null)
        {
            var copied = await CopyAtMostAsync(content, buffer, maxSize + 1, ct);
            if (copied > maxSize)
            {
                return new Result(null, $"The file is larger than the limit of {maxSize:N0} bytes.");
            }
            buffer.Position = 0;
            stream = buffer;
        }
        var head = new byte[16];
        var headLength = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        if (headLength == 0)
        {
            return new Result(null, "The file is empty.");
        }
        stream.Position = 0;
        var name = Path.GetFileName((fileName ?? "").Replace('\\', '/'));
        var (contentType, error) = UploadPolicy.Check(name, declaredType, head.AsSpan(0, headLength));
        if (error is not null)
        {
            return new Result(null, error);
        }
        var stored = await store.SaveAsync(stream, maxSize, ct);
        if (stored is null)
        {
            return new Result(null, $"The file is larger than the limit of {maxSize:N0} bytes.");
        }
        var attachment = Attachment.Create(name, contentType!, stored, actor.AgentId, time.GetUtcNow().UtcDateTime);
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Attachments.Add(attachment);
        await db.SaveChangesAsync(ct);
        return new Result(attachment, null);
    }

    private static async Task<long> CopyAtMostAsync(Stream from, Stream to, long limit, CancellationToken ct)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while (total < limit && (read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - total)), ct)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read), ct);
            total += read;
        }
        return total;
    }
}
