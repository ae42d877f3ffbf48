using System.Net.Http.Headers;

namespace Rapport.Bench.Measure;

internal static class ApiClient
{
    /// <summary>An HttpClient for the API with at most <paramref name="connections"/> connections, kept alive.</summary>
    public static HttpClient Create(string baseUrl, string token, int connections) =>
        new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseCookies = false })
        {
            BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"),
            Timeout = TimeSpan.FromSeconds(60),
            DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        };
}
