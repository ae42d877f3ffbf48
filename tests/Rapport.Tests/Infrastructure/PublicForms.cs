using System.Diagnostics;
using System.Net;

namespace Rapport.Tests.Infrastructure;

/// <summary>Public static forms (portal link request, contact form) posted by a <see cref="Browser"/> from a client IP and
/// Host of the test's choosing, with how long the post alone took to answer.</summary>
public static class PublicForms
{
    /// <param name="Elapsed">How long the post took to answer (not the page load before it).</param>
    public sealed record Answer(int Status, string Page, TimeSpan Elapsed);

    public static async Task<Answer> SubmitAsync(this RapportFactory app, string path, string formName, Dictionary<string, string> fields,
        IPAddress? ip = null, string? host = null)
    {
        using var browser = new Browser(app, ip ?? IPAddress.Loopback, host);
        var form = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = Http.FormToken(await browser.Client.GetStringAsync(path)),
            ["_handler"] = formName,
        };
        var watch = Stopwatch.StartNew();
        using var response = await browser.Client.PostAsync(path, new FormUrlEncodedContent(form));
        var elapsed = watch.Elapsed;
        return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync(), elapsed);
    }
}
