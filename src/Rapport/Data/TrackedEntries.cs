using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Rapport.Data;

/// <summary>For save interceptors: <see cref="ChangeTracker.Entries{TEntity}"/> scans every tracked entity for
/// changes each time it is called, and SaveChanges scans again after the interceptors. These read the entries as the
/// last scan left them, so an interceptor pays for at most one scan of its own.</summary>
internal static class TrackedEntries
{
    /// <summary>The tracked entries of <typeparamref name="TEntity"/>, without scanning for changes first.</summary>
    public static List<EntityEntry<TEntity>> WithoutDetecting<TEntity>(this ChangeTracker tracker) where TEntity : class
    {
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            return tracker.Entries<TEntity>().ToList();
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
    }
}
