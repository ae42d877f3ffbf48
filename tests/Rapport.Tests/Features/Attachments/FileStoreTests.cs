using Microsoft.Extensions.Options;
using Rapport.Features.Attachments;
using Rapport.Infrastructure;

namespace Rapport.Tests.Features.Attachments;

public sealed class FileStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"rapport-files-{Guid.NewGuid():N}");

    [Fact]
    public async Task Save_InMemoryContent_StoresItOnce_AndAgainAfterItsDirectoriesWereRemoved()
    {
        var store = new FileStore(Options.Create(new DataOptions { Directory = _directory }));
        var bytes = "%PDF-1.7\n an invoice"u8.ToArray();

        var first = await store.SaveAsync(new MemoryStream(bytes), 1024, TestContext.Current.CancellationToken);
        var again = await store.SaveAsync(new MemoryStream(bytes), 1024, TestContext.Current.CancellationToken);
        again.ShouldBe(first);
        Directory.GetFiles(Path.Combine(_directory, "files"), "*", SearchOption.AllDirectories).ShouldHaveSingleItem();

        // Someone removes the store's directories while the app runs: the next save makes them again.
        Directory.Delete(Path.Combine(_directory, "files"), recursive: true);
        var restored = await store.SaveAsync(new MemoryStream(bytes), 1024, TestContext.Current.CancellationToken);

        restored.ShouldBe(first);
        await using var read = store.OpenRead(first!.Sha256)!;
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy, TestContext.Current.CancellationToken);
        copy.ToArray().ShouldBe(bytes);
        (await store.SaveAsync(new MemoryStream(bytes), bytes.Length - 1, TestContext.Current.CancellationToken)).ShouldBeNull("longer than the limit");
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
