using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Headers;
using Rapport.Features.ApiTokens;
using Rapport.Features.Tickets;
using Rapport.Tests.Infrastructure;

namespace Rapport.Tests.Features.Attachments;

public abstract class AttachmentsApiTests(RapportFactory app) : DatabaseTests(app)
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 4];

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] bytes, string fileName, string contentType)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var form = new MultipartFormDataContent { { file, "file", fileName } };
        return await client.PostAsync("/api/v1/attachments", form);
    }

    [Fact]
    public async Task Upload_ThenDownload_ReturnsTheSameBytesAsADownload()
    {
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);

        var upload = await UploadAsync(client, Png, "screenshot.png", "image/png");

        await upload.ShouldHaveStatusAsync(HttpStatusCode.Created);
        var info = await upload.ReadAsync<AttachmentInfo>();
        info.Size.ShouldBe(Png.Length);
        info.ContentType.ShouldBe("image/png");
        var download = await client.GetAsync(info.Url, Ct);
        download.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await download.Content.ReadAsByteArrayAsync(Ct)).ShouldBe(Png);
        download.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        download.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
    }

    [Theory]
    [InlineData("invoice.exe", "application/octet-stream", "can run code")]
    [InlineData("photo.png", "image/png", "contents are not")]
    [InlineData("logo.svg", "image/svg+xml", "SVG")]
    [InlineData("notes.txt", "not a type", "not a content type")]
    public async Task Upload_DangerousOrMislabelledFile_IsRefusedWithReason(string fileName, string contentType, string reason)
    {
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);

        var response = await UploadAsync(client, "MZ this is not what it claims"u8.ToArray(), fileName, contentType.Contains(' ') ? "text/plain" : contentType);
        if (contentType.Contains(' '))
        {
            // HttpClient will not send a malformed type; send the raw header instead.
            var file = new ByteArrayContent("hello"u8.ToArray());
            file.Headers.TryAddWithoutValidation("Content-Type", contentType);
            response = await client.PostAsync("/api/v1/attachments", new MultipartFormDataContent { { file, "file", fileName } }, Ct);
        }

        await response.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        (await response.ReadAsync<HttpValidationProblemDetails>()).Errors["file"].ShouldHaveSingleItem().ShouldContain(reason);
    }

    [Fact]
    public async Task Upload_LargerThanTheLimit_IsRefused()
    {
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);

        var response = await UploadAsync(client, new byte[25 * 1024 * 1024 + 1], "big.bin", "application/octet-stream");

        response.StatusCode.ShouldBeOneOf(HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Upload_WithReadToken_IsForbidden()
    {
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Read, ct: Ct);

        (await UploadAsync(client, Png, "a.png", "image/png")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Reply_WithAttachment_ShowsItOnTheThread_AndItCannotBeReused()
    {
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var info = await (await UploadAsync(client, Png, "receipt.png", "image/png")).ReadAsync<AttachmentInfo>();
        var ticket = await (await client.PostJsonAsync("/api/v1/tickets", new { subject = "Receipt", customer = new { email = $"test+{Guid.NewGuid():N}@example.com" }, message = new { text = "Hi" } })).ReadAsync<TicketDetails>();

        var reply = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/replies", new { text = "Here is your receipt", attachmentIds = new[] { info.Id } });
        var reuse = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/notes", new { text = "Same file", attachmentIds = new[] { info.Id } });
        var unknown = await client.PostJsonAsync($"/api/v1/tickets/{ticket.Id}/notes", new { text = "No file", attachmentIds = new[] { 987654321L } });

        await reply.ShouldHaveStatusAsync(HttpStatusCode.Created);
        (await reply.ReadAsync<MessageDetails>()).Attachments.ShouldHaveSingleItem().FileName.ShouldBe("receipt.png");
        await reuse.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        await unknown.ShouldHaveStatusAsync(HttpStatusCode.BadRequest);
        var thread = await (await client.GetAsync($"/api/v1/tickets/{ticket.Id}", Ct)).ReadAsync<TicketDetails>();
        thread.Messages.Single(m => m.Kind == MessageKind.Reply).Attachments.ShouldHaveSingleItem().Id.ShouldBe(info.Id);
    }

    [Fact]
    public async Task SameBytesUploadedTwice_AreStoredOnce()
    {
        using var client = await App.CreateTokenClientAsync(ApiTokenScope.Write, ct: Ct);
        var bytes = System.Text.Encoding.UTF8.GetBytes("unique " + Guid.NewGuid());

        var first = await (await UploadAsync(client, bytes, "a.txt", "text/plain")).ReadAsync<AttachmentInfo>();
        var second = await (await UploadAsync(client, bytes, "b.txt", "text/plain")).ReadAsync<AttachmentInfo>();

        second.Id.ShouldNotBe(first.Id);
        await using var db = App.CreateDbContext();
        var hashes = db.Attachments.Where(a => a.Id == first.Id || a.Id == second.Id).Select(a => a.Sha256).Distinct().ToList();
        hashes.ShouldHaveSingleItem();
    }

    [Fact]
    public void TemporaryFiles_LeftByAKilledWrite_AreSweptOnceOld()
    {
        var store = App.Services.GetRequiredService<Rapport.Features.Attachments.FileStore>();
        var tmp = Path.Combine(App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Rapport.Infrastructure.DataOptions>>().Value.FullPath, "files", "tmp");
        Directory.CreateDirectory(tmp);
        var old = Path.Combine(tmp, $"old{Guid.NewGuid():N}");
        var fresh = Path.Combine(tmp, $"fresh{Guid.NewGuid():N}");
        File.WriteAllText(old, "half a message");
        File.WriteAllText(fresh, "being written");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-2));

        var removed = store.SweepTemporary(TimeSpan.FromHours(1), DateTime.UtcNow);

        removed.ShouldBeGreaterThanOrEqualTo(1);
        File.Exists(old).ShouldBeFalse();
        File.Exists(fresh).ShouldBeTrue("another node may be writing it");
        File.Delete(fresh);
    }
}

public sealed class AttachmentsApiTests_Sqlite(SqliteRapportFactory app) : AttachmentsApiTests(app), IClassFixture<SqliteRapportFactory>;

public sealed class AttachmentsApiTests_Postgres(PostgresRapportFactory app) : AttachmentsApiTests(app), IClassFixture<PostgresRapportFactory>;
