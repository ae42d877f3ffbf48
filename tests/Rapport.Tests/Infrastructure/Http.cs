using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rapport.Infrastructure;

namespace Rapport.Tests.Infrastructure;

/// <summary>Talking to the API and to static forms the way clients and browsers do.</summary>
public static partial class Http
{
    public static readonly JsonSerializerOptions Json = CreateJsonOptions();

    /// <summary>The header a cookie-authenticated API write must carry, which a page on another site cannot send.</summary>
    public const string CsrfHeader = "X-Rapport-Csrf";

    /// <summary>A client signed in through the real sign-in form, holding the agent's cookie, and sending <see cref="CsrfHeader"/>
    /// as scripts calling the API with the cookie must (remove it to act as a form on another site).</summary>
    public static async Task<HttpClient> SignedInClientAsync(this RapportFactory app, Rapport.Features.Agents.Agent agent)
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Add(CsrfHeader, "1");
        var response = await SubmitFormAsync(client, "/account/login", "login", new()
        {
            ["Input.Email"] = agent.Email!,
            ["Input.Password"] = RapportFactory.AgentPassword,
        });
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        return client;
    }

    /// <summary>Loads a static form page and posts it back with its antiforgery token, as a browser without JavaScript would.</summary>
    public static async Task<HttpResponseMessage> SubmitFormAsync(HttpClient client, string url, string formName, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(url);
        var form = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = FormToken(page),
            ["_handler"] = formName,
        };
        return await client.PostAsync(url.Split('?')[0] + (url.Contains('?') ? "?" + url.Split('?')[1] : ""), new FormUrlEncodedContent(form));
    }

    /// <summary>The antiforgery token of the first form on a page.</summary>
    public static string FormToken(string page)
    {
        var antiforgery = AntiforgeryField().Match(page);
        antiforgery.Success.ShouldBeTrue("the page carries an antiforgery token");
        return System.Net.WebUtility.HtmlDecode(antiforgery.Groups[1].Value);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" (?:type=\"hidden\" )?value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        WebSetup.ConfigureJson(options);
        return options;
    }
}

public static class HttpExtensions
{
    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonSerializer.Deserialize<T>(body, Http.Json)!;
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"Could not read {typeof(T).Name} from {(int)response.StatusCode}: {body}", e);
        }
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, object body, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: Http.Json) };
        configure?.Invoke(request);
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string url, object body) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(body, options: Http.Json) });

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent.Create(body, options: Http.Json) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return client.SendAsync(request);
    }

    public static async Task ShouldHaveStatusAsync(this HttpResponseMessage response, System.Net.HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            throw new ShouldAssertException($"Expected {(int)status} {status} but got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
