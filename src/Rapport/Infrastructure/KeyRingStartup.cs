using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Rapport.Data;

namespace Rapport.Infrastructure;

/// <summary>Run once at start-up, after the migrations: moves the plain key files an older Rapport kept in
/// <c>&lt;data&gt;/keys</c> into the database (encrypted), loads the key ring, and says whether every stored key can be read
/// with the configured key-encryption key. On PostgreSQL nodes take turns (an advisory lock), so that on a new database
/// one node makes the first key and the others use it.</summary>
public sealed partial class KeyRingStartup(
    IDbContextFactory<RapportDb> contexts,
    KeyEncryptionKey key,
    IDataProtectionProvider protection,
    IOptions<DataOptions> data,
    ILogger<KeyRingStartup> logger)
{
    private const long LockId = 0x5261_7070_4b65_7973; // "RappKeys"
    private static readonly XNamespace DataProtectionNamespace = "http://schemas.asp.net/2015/03/dataProtection";
    private static readonly XName RequiresEncryption = DataProtectionNamespace + "requiresEncryption";
    private static readonly XName EncryptedSecret = DataProtectionNamespace + "encryptedSecret";

    /// <summary>The key-encryption key fingerprints of the stored keys this node cannot read (one entry per key).</summary>
    public IReadOnlyList<string> Unreadable { get; private set; } = [];

    public async Task RunAsync(CancellationToken ct)
    {
        if (key.Created)
        {
            LogKeyCreated(key.Source, key.Id);
        }
        else
        {
            LogKeyUsed(key.Source, key.Id);
        }
        if (key.Source.StartsWith(data.Value.FullPath.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            LogKeyInDataDirectory(key.Source);
        }
        await using (var lockHolder = await contexts.CreateDbContextAsync(ct))
        {
            var postgres = lockHolder.Database.IsNpgsql();
            if (postgres)
            {
                await lockHolder.Database.OpenConnectionAsync(ct);
                await lockHolder.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({LockId})", ct);
            }
            try
            {
                await ImportPlainKeyFilesAsync(ct);
                // Loads the key ring (making the first key on a new database) while this node holds the turn.
                protection.CreateProtector("Rapport.KeyRing.Startup").Protect([1]);
            }
            finally
            {
                if (postgres)
                {
                    await lockHolder.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({LockId})", CancellationToken.None);
                }
            }
        }
        await CheckStoredKeysAsync(ct);
    }

    private async Task ImportPlainKeyFilesAsync(CancellationToken ct)
    {
        var folder = Path.Combine(data.Value.FullPath, "keys");
        if (!Directory.Exists(folder))
        {
            return;
        }
        var encryptor = new KeyXmlEncryptor(key);
        var stored = new List<string>();
        var imported = 0;
        foreach (var file in Directory.GetFiles(folder, "*.xml").Order(StringComparer.Ordinal))
        {
            XElement element;
            try
            {
                element = XElement.Load(file);
            }
            catch (XmlException e)
            {
                LogUnreadableFile(file, e.Message);
                continue;
            }
            // The file system store named each file after the element (key-{id}.xml), as the database store names rows.
            var name = Path.GetFileNameWithoutExtension(file);
            if (await StoreAsync(name, EncryptSecrets(element, encryptor).ToString(SaveOptions.DisableFormatting), ct))
            {
                imported++;
            }
            stored.Add(file);
        }
        // Only now that every one is committed: a failure above leaves the files for the next start.
        foreach (var file in stored)
        {
            File.Delete(file);
        }
        if (!Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
        }
        if (stored.Count > 0)
        {
            LogImported(imported, stored.Count - imported, folder);
        }
    }

    /// <summary>Stores the element unless a row of that name exists (another node imported the same file first).</summary>
    private async Task<bool> StoreAsync(string name, string xml, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.DataProtectionKeys.AnyAsync(k => k.FriendlyName == name, ct))
        {
            return false;
        }
        db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = name, Xml = xml });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            if (await ExistsAsync(name, ct))
            {
                return false;
            }
            throw;
        }
    }

    private async Task<bool> ExistsAsync(string name, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.DataProtectionKeys.AnyAsync(k => k.FriendlyName == name, ct);
    }

    /// <summary>What the framework does when it stores a new key: each element marked requiresEncryption (the key's
    /// master key) is replaced by its encrypted form, which names the decryptor.</summary>
    internal static XElement EncryptSecrets(XElement element, IXmlEncryptor encryptor)
    {
        var copy = new XElement(element);
        var secrets = copy.DescendantsAndSelf().Where(e => IsMarked(e) && !e.Ancestors().Any(IsMarked)).ToList();
        foreach (var secret in secrets)
        {
            var encrypted = encryptor.Encrypt(new XElement(secret));
            secret.ReplaceWith(new XElement(EncryptedSecret,
                new XAttribute("decryptorType", encrypted.DecryptorType.AssemblyQualifiedName!), encrypted.EncryptedElement));
        }
        return copy;

        static bool IsMarked(XElement e) => (bool?)e.Attribute(RequiresEncryption) == true;
    }

    private async Task CheckStoredKeysAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).ToListAsync(ct);
        var unreadable = new List<string>();
        var plain = 0;
        foreach (var xml in rows)
        {
            XElement element;
            try
            {
                element = XElement.Parse(xml ?? "");
            }
            catch (XmlException)
            {
                continue;
            }
            if (element.Name != "key")
            {
                continue;
            }
            if (element.Descendants(KeyXmlEncryptor.ElementName).FirstOrDefault() is { } encrypted)
            {
                if ((string?)encrypted.Attribute(KeyXmlEncryptor.KeyIdAttribute) is { } id && id != key.Id)
                {
                    unreadable.Add(id);
                }
            }
            else if (element.Descendants(EncryptedSecret).Any())
            {
                unreadable.Add("another kind of encryption");
            }
            else
            {
                plain++;
            }
        }
        Unreadable = unreadable;
        if (unreadable.Count > 0)
        {
            LogUnreadableKeys(unreadable.Count, string.Join(", ", unreadable.Distinct()), key.Id);
        }
        if (plain > 0)
        {
            LogPlainKeys(plain);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Made a new key-encryption key {KeyId} in {KeyFile}: back it up with the data; without it no sign-in or mailbox password can be read")]
    private partial void LogKeyCreated(string keyFile, string keyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Data Protection keys are in the database, encrypted with key-encryption key {KeyId} from {KeySource}")]
    private partial void LogKeyUsed(string keySource, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The key-encryption key file {KeyFile} is inside the data directory: a copy of the data folder " +
        "carries the key that opens it. Keep it elsewhere (KeyProtection:KeyFile)")]
    private partial void LogKeyInDataDirectory(string keyFile);

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved the key files in {Folder} into the database ({Imported} new, {AlreadyThere} there already) and deleted them")]
    private partial void LogImported(int imported, int alreadyThere, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Left the key file {File} in place: it is not XML ({Reason})")]
    private partial void LogUnreadableFile(string file, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} Data Protection keys in the database were encrypted with key-encryption key {OtherKeyIds}, " +
        "not the configured {KeyId}: sign-ins and mailbox passwords made with them cannot be read until that key is configured again " +
        "(KeyProtection:Key or KeyProtection:KeyFile). Nothing was deleted; new keys are made with the configured one")]
    private partial void LogUnreadableKeys(int count, string otherKeyIds, string keyId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} Data Protection keys in the database are stored without encryption")]
    private partial void LogPlainKeys(int count);
}
