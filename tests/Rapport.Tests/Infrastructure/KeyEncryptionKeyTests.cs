using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Rapport.Infrastructure;

namespace Rapport.Tests.Infrastructure;

/// <summary>The key-encryption key (docs/decisions/0064): read from configuration or a key file, which the first run
/// makes; here in a folder of the test's own, never the home folder.</summary>
public sealed class KeyEncryptionKeyTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"rapport-kek-{Guid.NewGuid():N}");

    [Fact]
    public async Task Load_KeyFileMissing_ManyProcessesAtOnce_AllKeepOneKeyReadableByTheUserOnly()
    {
        var file = Path.Combine(_folder, "config", "Rapport", "key-encryption.key");
        var options = new KeyProtectionOptions { KeyFile = file };

        var keys = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => KeyEncryptionKey.Load(options))));

        keys.Select(k => k.Id).Distinct().ShouldHaveSingleItem();
        keys.Count(k => k.Created).ShouldBe(1);
        keys[0].Source.ShouldBe(file);
        Convert.FromBase64String((await File.ReadAllTextAsync(file)).Trim()).Length.ShouldBe(32);
        Directory.GetFiles(Path.GetDirectoryName(file)!).ShouldBe([file], "no half-written temporary file is left");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        KeyEncryptionKey.Load(options).Id.ShouldBe(keys[0].Id, "the next start reads the same key");
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")]
    public void Load_KeyNot32BytesOfBase64_RefusesWithTheWayToMakeOne(string key)
    {
        var refused = Should.Throw<InvalidOperationException>(() => KeyEncryptionKey.Load(new KeyProtectionOptions { Key = key }));

        refused.Message.ShouldContain("openssl rand -base64 32");
        refused.Message.ShouldNotContain(key);
    }

    [Fact]
    public void Decrypt_EncryptedWithAnotherKey_SaysWhichKeyItNeeds()
    {
        var mine = KeyEncryptionKey.Load(new KeyProtectionOptions { Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        var other = KeyEncryptionKey.Load(new KeyProtectionOptions { Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        var secret = new XElement("masterKey", new XElement("value", "c2VjcmV0"));
        var encrypted = new KeyXmlEncryptor(mine).Encrypt(secret).EncryptedElement;

        var roundTrip = new KeyXmlDecryptor(Services(mine)).Decrypt(encrypted);
        var refused = Should.Throw<CryptographicException>(() => new KeyXmlDecryptor(Services(other)).Decrypt(encrypted));

        encrypted.ToString().ShouldNotContain("c2VjcmV0");
        roundTrip.ToString().ShouldBe(secret.ToString());
        refused.Message.ShouldContain(mine.Id);
    }

    private static IServiceProvider Services(KeyEncryptionKey key) =>
        new ServiceCollection().AddSingleton(key).BuildServiceProvider();

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
