using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Rapport.Infrastructure;

/// <summary>Section "KeyProtection": the key-encryption key that encrypts the Data Protection keys stored in the
/// database (docs/decisions/0064). <see cref="Key"/> wins over <see cref="KeyFile"/>; with neither, a key file in the
/// user's configuration folder is used, and created on the first run.</summary>
public sealed class KeyProtectionOptions
{
    public const string Section = "KeyProtection";

    /// <summary>32 random bytes, base64 (<c>openssl rand -base64 32</c>), e.g. from the environment variable
    /// <c>KeyProtection__Key</c>.</summary>
    public string? Key { get; set; }

    /// <summary>A file holding the key as base64 (a systemd credential, a mounted secret). Created with a new key, readable
    /// by this user only, when it does not exist.</summary>
    public string? KeyFile { get; set; }

    /// <summary>Where the key file is when nothing is configured: outside the data directory, so a copy of the data
    /// folder alone opens nothing. Empty when this user has no home folder.</summary>
    public static string DefaultKeyFile =>
        Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify) is { Length: > 0 } config
            ? Path.Combine(config, "Rapport", "key-encryption.key")
            : "";
}

/// <summary>The key-encryption key, read (or, for a key file that does not exist yet, made) once at start-up.</summary>
public sealed class KeyEncryptionKey
{
    private const int KeyBytes = 32;

    private readonly byte[] _key;

    private KeyEncryptionKey(byte[] key, string source)
    {
        _key = key;
        Source = source;
        Id = Fingerprint(key);
    }

    /// <summary>A short public fingerprint of the key (not the key): tells an operator which key encrypted what.</summary>
    public string Id { get; }

    /// <summary>Where the key came from, for the log: "configuration" or the key file's path.</summary>
    public string Source { get; }

    /// <summary>True when this run made the key file.</summary>
    public bool Created { get; private init; }

    public static KeyEncryptionKey Load(KeyProtectionOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Key))
        {
            return new KeyEncryptionKey(Parse(options.Key, "KeyProtection:Key"), "configuration (KeyProtection:Key)");
        }
        var file = string.IsNullOrWhiteSpace(options.KeyFile) ? KeyProtectionOptions.DefaultKeyFile : options.KeyFile;
        if (string.IsNullOrEmpty(file))
        {
            throw new InvalidOperationException("This user has no home folder to keep the key-encryption key in. Set " +
                "KeyProtection__Key (32 random bytes, base64: openssl rand -base64 32) or KeyProtection__KeyFile (a file holding it).");
        }
        file = Path.GetFullPath(file);
        try
        {
            var created = CreateIfMissing(file);
            return new KeyEncryptionKey(Parse(File.ReadAllText(file), file), file) { Created = created };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"The key-encryption key file {file} cannot be read or made ({e.Message}). " +
                "Make it readable to this user, or set KeyProtection__KeyFile or KeyProtection__Key (openssl rand -base64 32).", e);
        }
    }

    internal static string Fingerprint(ReadOnlySpan<byte> key)
    {
        var hash = SHA256.HashData([.. "Rapport key-encryption key id:"u8, .. key]);
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    private static byte[] Parse(string text, string where)
    {
        try
        {
            var key = Convert.FromBase64String(text.Trim());
            if (key.Length == KeyBytes)
            {
                return key;
            }
        }
        catch (FormatException)
        {
        }
        throw new InvalidOperationException($"The key-encryption key in {where} must be {KeyBytes} bytes in base64 (openssl rand -base64 32).");
    }

    /// <summary>Writes a new key beside the file and links it into place, so that processes starting together all end up
    /// with the one that got there first and no reader ever sees half a key.</summary>
    private static bool CreateIfMissing(string file)
    {
        if (File.Exists(file))
        {
            return false;
        }
        var directory = Path.GetDirectoryName(file)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var temporary = Path.Combine(directory, $".{Path.GetFileName(file)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
            if (!OperatingSystem.IsWindows())
            {
                stream.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using (var writer = new StreamWriter(temporary, Encoding.ASCII, stream))
            {
                writer.WriteLine(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)));
            }
            File.Move(temporary, file, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(file))
        {
            return false;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    internal byte[] Encrypt(byte[] plaintext, ReadOnlySpan<byte> associatedData)
    {
        var sealedBytes = new byte[AesGcm.NonceByteSizes.MaxSize + AesGcm.TagByteSizes.MaxSize + plaintext.Length];
        var nonce = sealedBytes.AsSpan(0, AesGcm.NonceByteSizes.MaxSize);
        var tag = sealedBytes.AsSpan(nonce.Length, AesGcm.TagByteSizes.MaxSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, tag.Length);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(nonce.Length + tag.Length), tag, associatedData);
        return sealedBytes;
    }

    internal byte[] Decrypt(byte[] sealedBytes, ReadOnlySpan<byte> associatedData)
    {
        var nonce = sealedBytes.AsSpan(0, AesGcm.NonceByteSizes.MaxSize);
        var tag = sealedBytes.AsSpan(nonce.Length, AesGcm.TagByteSizes.MaxSize);
        var ciphertext = sealedBytes.AsSpan(nonce.Length + tag.Length);
        var plaintext = new byte[ciphertext.Length];
        using var aes = new AesGcm(_key, tag.Length);
        aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
        return plaintext;
    }
}

/// <summary>Encrypts a Data Protection key's secret part with the key-encryption key (AES-256-GCM), naming the key by
/// its fingerprint so that a key encrypted with another one is reported as such.</summary>
public sealed class KeyXmlEncryptor(KeyEncryptionKey key) : IXmlEncryptor
{
    internal static readonly XName ElementName = "rapportEncryptedSecret";
    internal const string KeyIdAttribute = "keyEncryptionKey";
    internal static readonly byte[] AssociatedData = "Rapport.KeyProtection.v1"u8.ToArray();

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        try
        {
            var sealedBytes = key.Encrypt(plaintext, AssociatedData);
            return new EncryptedXmlInfo(
                new XElement(ElementName, new XAttribute(KeyIdAttribute, key.Id), new XAttribute("algorithm", "AES-256-GCM"),
                    Convert.ToBase64String(sealedBytes)),
                typeof(KeyXmlDecryptor));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}

/// <summary>Made by Data Protection through its constructor taking the service provider.</summary>
public sealed class KeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var key = services.GetRequiredService<KeyEncryptionKey>();
        var encryptedWith = (string?)encryptedElement.Attribute(KeyXmlEncryptor.KeyIdAttribute);
        if (encryptedWith != key.Id)
        {
            throw new CryptographicException($"This Data Protection key was encrypted with key-encryption key {encryptedWith}, " +
                $"not with the configured one ({key.Id}). Configure that key again (KeyProtection) to read what it protects.");
        }
        var plaintext = key.Decrypt(Convert.FromBase64String(encryptedElement.Value), KeyXmlEncryptor.AssociatedData);
        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
