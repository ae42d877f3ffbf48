using System.Net;

namespace Rapport.Tests.Infrastructure;

/// <summary>Public static forms (portal link request, contact form) posted by a <see cref="Browser"/> from a client IP and
/// Host of the test's choosing.</summary>
public static class PublicForms
{
    public sealed record Answer(int Status, string Page);

    /// <param name="traceParent">A <c>traceparent</c> header for the post alone, to pick out its work (<see cref="RequestCommands"/>).</param>
    public static async Task<Answer> SubmitAsync(this RapportFactory app, string path, string formName, Dictionary<string, string> fields,
        IPAddress? ip = null, string? host = null, string? traceParent = null)
    {
        using var browser = new Browser(app, ip ?? IPAddress.Loopback, host);
        var form = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = Http.FormToken(await browser.Client.GetStringAsync(path)),
            ["_handler"] = formName,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        if (traceParent is not null)
        {
            request.Headers.Add("traceparent", traceParent);
        }
        using var response = await browser.Client.SendAsync(request);
        return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
