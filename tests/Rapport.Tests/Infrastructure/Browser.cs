using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace Rapport.Tests.Infrastructure;

/// <summary>A browser without JavaScript at its own IP address (a random one unless given), whose cookies the test can read.</summary>
public sealed partial class Browser : IDisposable
{
    /// <param name="host">The Host the requests name, when not the test server's (a forged one, say).</param>
    public Browser(WebApplicationFactory<Program> app, IPAddress? ip = null, string? host = null)
    {
        Ip = ip ?? RandomIp();
        var server = app.Server.CreateHandler(context =>
        {
            context.Connection.RemoteIpAddress = Ip;
            if (host is not null)
            {
                context.Request.Host = new Microsoft.AspNetCore.Http.HostString(host);
            }
        });
        Client = new HttpClient(new CookieContainerHandler(Cookies) { InnerHandler = server }) { BaseAddress = app.Server.BaseAddress };
    }

    public IPAddress Ip { get; }

    private static IPAddress RandomIp()
    {
        var bytes = RandomNumberGenerator.GetBytes(4);
        bytes[0] = 10;
        return new IPAddress(bytes);
    }

    public CookieContainer Cookies { get; } = new();

    public HttpClient Client { get; }

    /// <summary>The Cookie header this browser sends, as someone who copied it would replay it.</summary>
    public string CookieHeader => Cookies.GetCookieHeader(Client.BaseAddress!);

    public bool HasAgentCookie => Cookies.GetCookies(Client.BaseAddress!).Any(c => c.Name.StartsWith("rapport.auth", StringComparison.Ordinal));

    public Task<HttpResponseMessage> SignInAsync(string email, string password) =>
        Http.SubmitFormAsync(Client, "/account/login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });

    public Task<HttpResponseMessage> EnterCodeAsync(string code) =>
        Http.SubmitFormAsync(Client, "/account/login-2fa", "login-2fa", new() { ["Input.Code"] = code });

    /// <summary>Posts a sign-out form as its page does: with the antiforgery token of the page it sits on.</summary>
    public async Task<HttpResponseMessage> SignOutAsync(string pagePath, string action)
    {
        var page = await Client.GetStringAsync(pagePath);
        return await Client.PostAsync(action, new FormUrlEncodedContent([new("__RequestVerificationToken", Http.FormToken(page))]));
    }

    /// <summary>The page's error message, or null.</summary>
    public static async Task<string?> AlertAsync(HttpResponseMessage response)
    {
        var match = Alert().Match(await response.Content.ReadAsStringAsync());
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;
    }

    /// <summary>A page without the values of its fields (the address typed, the antiforgery token) and without Blazor's
    /// encrypted component state, for comparing answers.</summary>
    public static async Task<string> PageWithoutValuesAsync(HttpResponseMessage response) => WithoutValues(await response.Content.ReadAsStringAsync());

    /// <inheritdoc cref="PageWithoutValuesAsync"/>
    public static string WithoutValues(string page) => Comment().Replace(FieldValue().Replace(page, "value=\"\""), "");

    [GeneratedRegex("""<p class="error" role="alert">(.*?)</p>""", RegexOptions.Singleline)]
    private static partial Regex Alert();

    [GeneratedRegex("value=\"[^\"]*\"")]
    private static partial Regex FieldValue();

    [GeneratedRegex("<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex Comment();

    public void Dispose() => Client.Dispose();
}
