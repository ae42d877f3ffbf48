using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Rapport.Tests.Infrastructure;

/// <summary>Public static forms (portal link request, contact form) posted as a browser without JavaScript would, from a
/// client IP and Host of the test's choosing: the in-process server has no sockets, so both are set on the request.</summary>
public static partial class PublicForms
{
    /// <param name="Elapsed">How long the post took to answer (not the page load before it).</param>
    public sealed record Answer(int Status, string Page, TimeSpan Elapsed);

    public static async Task<Answer> SubmitAsync(this RapportFactory app, string path, string formName, Dictionary<string, string> fields,
        IPAddress? ip = null, string host = "localhost")
    {
        ip ??= IPAddress.Loopback;
        var get = await app.Server.SendAsync(c => Prepare(c, "GET", path, host, ip));
        var page = await ReadAsync(get);
        var token = AntiforgeryField().Match(page);
        token.Success.ShouldBeTrue("the form carries an antiforgery token");
        var cookies = string.Join("; ", get.Response.Headers.SetCookie.Select(c => c!.Split(';')[0]));
        var form = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["_handler"] = formName,
        };
        var body = await new FormUrlEncodedContent(form).ReadAsByteArrayAsync();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var post = await app.Server.SendAsync(c =>
        {
            Prepare(c, "POST", path, host, ip);
            c.Request.Headers.Cookie = cookies;
            c.Request.ContentType = "application/x-www-form-urlencoded";
            c.Request.ContentLength = body.Length;
            c.Request.Body = new MemoryStream(body);
        });
        var elapsed = watch.Elapsed;
        return new Answer(post.Response.StatusCode, await ReadAsync(post), elapsed);
    }

    /// <summary>A page's text without what differs on every answer (antiforgery tokens, Blazor's protected component
    /// state: data-protection payloads, "CfDJ…"), to compare two answers.</summary>
    public static string WithoutTokens(string page) => ProtectedPayload().Replace(page, "…");

    private static void Prepare(HttpContext context, string method, string path, string host, IPAddress ip)
    {
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(host);
        context.Request.Path = path;
        context.Connection.RemoteIpAddress = ip;
    }

    private static async Task<string> ReadAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Response.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" (?:type=\"hidden\" )?value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("CfDJ[A-Za-z0-9+/=_-]+")]
    private static partial Regex ProtectedPayload();
}
