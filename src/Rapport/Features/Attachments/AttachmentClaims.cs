using Microsoft.EntityFrameworkCore;
using Rapport.Data;
using Rapport.Features.Tickets;

namespace Rapport.Features.Attachments;

/// <summary>Hands uploaded attachments to the message that uses them. An upload belongs to one message.</summary>
public static class AttachmentClaims
{
    /// <returns>null when all ids were claimed; otherwise what is wrong, for a validation error.</returns>
    public static async Task<string?> ClaimAsync(RapportDb db, IReadOnlyList<long>? ids, Message message, CancellationToken ct)
    {
        if (ids is not { Count: > 0 })
        {
            return null;
        }
        var wanted = ids.Distinct().ToList();
        var found = await db.Attachments.Where(a => wanted.Contains(a.Id)).ToListAsync(ct);
        var missing = wanted.Except(found.Select(a => a.Id)).ToList();
        if (missing.Count > 0)
        {
            return $"No uploaded attachment has the id {string.Join(", ", missing)}.";
        }
        var used = found.Where(a => a.MessageId is not null).Select(a => a.Id).ToList();
        if (used.Count > 0)
        {
            return $"Attachment {string.Join(", ", used)} already belongs to another message; upload the file again.";
        }
        foreach (var attachment in found)
        {
            message.Attach(attachment);
        }
        return null;
    }
}
