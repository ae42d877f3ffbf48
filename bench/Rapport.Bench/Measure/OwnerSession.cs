using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace Rapport.Bench.Measure;

/// <summary>The owner signed in through the login page, as a person would: mailboxes are managed only by the
/// signed-in owner (API tokens never manage the desk), so the mail benchmarks add theirs this way.</summary>
internal static partial class OwnerSession
{
    public static async Task<HttpClient> SignInAsync(string baseUrl, string email, string password)
    {
        var http = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"),
            Timeout = TimeSpan.FromSeconds(60),
        };
        var page = await http.GetStringAsync("account/login");
        var token = AntiforgeryField().Match(page);
        if (!token.Success)
        {
            throw new InvalidOperationException("The login page has no antiforgery field.");
        }
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        using var response = await http.PostAsync("account/login", form);
        using var check = await http.GetAsync("api/v1/mailboxes");
        if (check.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Signing in as {email} failed (login answered {(int)response.StatusCode}, mailboxes {(int)check.StatusCode}).");
        }
        // Changes made with the sign-in cookie must say they come from a script, not a page of another site (ADR 0050).
        http.DefaultRequestHeaders.Add("X-Rapport-Csrf", "1");
        return http;
    }

    /// <summary>Creates the mailbox, or returns the id of the one already named so.</summary>
    public static async Task<int> EnsureMailboxAsync(HttpClient owner, object request, string name)
    {
        var existing = await owner.GetFromJsonAsync<List<MailboxRow>>("api/v1/mailboxes") ?? [];
        if (existing.FirstOrDefault(m => m.Name == name) is { } found)
        {
            return found.Id;
        }
        using var response = await owner.PostAsJsonAsync("api/v1/mailboxes", request);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Creating mailbox {name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return (await response.Content.ReadFromJsonAsync<MailboxRow>())!.Id;
    }

    public sealed record MailboxRow(int Id, string Name, string Address, bool Enabled);

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
