using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Rapport.Infrastructure;

namespace Rapport.Features.Attachments;

public sealed record StoredFile(string Sha256, long Length);

/// <summary>Content-addressed file store under the data directory: files/ab/cd/abcd…(sha256).
/// A file is written to a temporary name, flushed to disk, then renamed into place and the directory flushed, so a
/// crash never leaves a half-written file under a valid name nor loses a saved one, and identical content is stored once.</summary>
public sealed class FileStore(IOptions<DataOptions> dataOptions)
{
    private readonly string _root = Path.Combine(dataOptions.Value.FullPath, "files");
    private readonly ConcurrentDictionary<string, byte> _directories = new(StringComparer.Ordinal);

    /// <summary>Copies at most <paramref name="maxLength"/> bytes; returns null when the stream is longer.</summary>
    public async Task<StoredFile?> SaveAsync(Stream content, long maxLength, CancellationToken ct)
    {
        if (content is MemoryStream memory && memory.TryGetBuffer(out var buffer))
        {
            // Already in memory (mail, attachments taken from it): hashed first, so content stored before is not
            // written again, and written in one call.
            var bytes = buffer.AsMemory((int)memory.Position);
            return bytes.Length > maxLength ? null : Save(bytes.Span);
        }
        Directory.CreateDirectory(TempDirectory);
        string? tempPath = Path.Combine(TempDirectory, Guid.NewGuid().ToString("N"));
        try
        {
            long length = 0;
            string sha;
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            await using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var chunk = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(chunk, ct)) > 0)
                {
                    length += read;
                    if (length > maxLength)
                    {
                        return null;
                    }
                    hash.AppendData(chunk, 0, read);
                    await file.WriteAsync(chunk.AsMemory(0, read), ct);
                }
                await file.FlushAsync(ct);
                file.Flush(flushToDisk: true);
                sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            if (Publish(tempPath, PathOf(sha)))
            {
                tempPath = null;
            }
            return new StoredFile(sha, length);
        }
        finally
        {
            if (tempPath is not null)
            {
                File.Delete(tempPath);
            }
        }
    }

    private StoredFile Save(ReadOnlySpan<byte> bytes)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var finalPath = PathOf(sha);
        if (File.Exists(finalPath))
        {
            return new StoredFile(sha, bytes.Length);
        }
        Directory.CreateDirectory(TempDirectory);
        string? tempPath = Path.Combine(TempDirectory, Guid.NewGuid().ToString("N"));
        try
        {
            using (var file = File.OpenHandle(tempPath, FileMode.CreateNew, FileAccess.Write))
            {
                RandomAccess.Write(file, bytes, 0);
                RandomAccess.FlushToDisk(file);
            }
            if (Publish(tempPath, finalPath))
            {
                tempPath = null;
            }
            return new StoredFile(sha, bytes.Length);
        }
        finally
        {
            if (tempPath is not null)
            {
                File.Delete(tempPath);
            }
        }
    }

    /// <summary>Moves a written and flushed temporary file to its content's name, unless a file has it already; returns
    /// whether it moved it.</summary>
    private bool Publish(string tempPath, string finalPath)
    {
        if (File.Exists(finalPath))
        {
            return false;
        }
        var directory = Path.GetDirectoryName(finalPath)!;
        var parent = Path.GetDirectoryName(directory)!;
        var newParent = EnsureDirectory(parent);
        var newDirectory = EnsureDirectory(directory);
        try
        {
            File.Move(tempPath, finalPath, overwrite: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Removed behind this store's back: forget what it knew and make them again.
            _directories.Clear();
            newParent |= EnsureDirectory(parent);
            newDirectory |= EnsureDirectory(directory);
            File.Move(tempPath, finalPath, overwrite: true);
        }
        // The file's bytes are on disk; its name is only once the directory holding it is (and, for directories just
        // made, theirs).
        SyncDirectory(directory);
        if (newDirectory)
        {
            SyncDirectory(parent);
        }
        if (newParent)
        {
            SyncDirectory(_root);
        }
        return true;
    }

    private string TempDirectory => Path.Combine(_root, "tmp");

    /// <summary>Makes the directory unless this store has seen it; returns whether it was missing. The store never
    /// removes its directories, so each is checked once rather than on every file (see <see cref="Publish"/> for one
    /// removed by someone else).</summary>
    private bool EnsureDirectory(string path)
    {
        if (_directories.ContainsKey(path))
        {
            return false;
        }
        var missing = !Directory.Exists(path);
        Directory.CreateDirectory(path);
        _directories.TryAdd(path, 0);
        return missing;
    }

    /// <summary>Deletes temporary files older than <paramref name="olderThan"/>: what a crashed or killed write left
    /// behind (a finished write renames or deletes its own). Returns how many were removed.</summary>
    public int SweepTemporary(TimeSpan olderThan, DateTime now)
    {
        var directory = new DirectoryInfo(TempDirectory);
        if (!directory.Exists)
        {
            return 0;
        }
        var removed = 0;
        foreach (var file in directory.EnumerateFiles())
        {
            try
            {
                if (file.LastWriteTimeUtc < now - olderThan)
                {
                    file.Delete();
                    removed++;
                }
            }
            catch (IOException)
            {
                // In use or gone already: the next start looks again.
            }
        }
        return removed;
    }

    public Stream? OpenRead(string sha256)
    {
        var path = PathOf(sha256);
        return File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true) : null;
    }

    /// <summary>A stored file's bytes, or null when there is none by that hash.</summary>
    public async Task<byte[]?> ReadAllBytesAsync(string sha256, CancellationToken ct)
    {
        var path = PathOf(sha256);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, ct) : null;
    }

    private static void SyncDirectory(string path)
    {
        // Linux only: Windows has no call for it (NTFS journals names), and other systems are not supported hosts.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fd = Native.Open(path, 0);
        if (fd < 0)
        {
            throw new IOException($"Could not open directory {path} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }
        try
        {
            if (Native.Fsync(fd) != 0)
            {
                throw new IOException($"Could not flush directory {path} to disk (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }

    private static class Native
    {
        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static extern int Fsync(int fd);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        public static extern int Close(int fd);
    }

    private string PathOf(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("Not a SHA-256 key.", nameof(sha256));
        }
        return Path.Combine(_root, sha256[..2], sha256[2..4], sha256);
    }
}
