using System.Text;

namespace Rapport.Features.Tickets;

/// <summary>The document shown in a sandboxed iframe for a message's (already sanitized) HTML. The frame runs no script
/// (no allow-scripts), and its content security policy loads no remote resource, so tracking pixels stay silent,
/// until the agent chooses to show remote images.</summary>
public static class MessageFrame
{
    public const string Sandbox = "allow-same-origin allow-popups allow-popups-to-escape-sandbox";

    public static string Document(string sanitizedHtml, bool remoteImages)
    {
        var images = remoteImages ? "img-src data: cid: https: http:" : "img-src data: cid:";
        var builder = new StringBuilder(sanitizedHtml.Length + 600);
        builder.Append("<!doctype html><html><head><meta charset=\"utf-8\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ").Append(images)
            .Append("; style-src 'unsafe-inline'; font-src data:; form-action 'none'\">")
            .Append("<base target=\"_blank\">")
            .Append("<style>html,body{margin:0;padding:0;background:#fff;color:#1b2230;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;overflow-wrap:anywhere}")
            .Append("img{max-width:100%;height:auto}table{max-width:100%}blockquote{margin:0 0 0 .5rem;padding-left:.75rem;border-left:3px solid #ccd;color:#556}</style>")
            .Append("</head><body>").Append(sanitizedHtml).Append("</body></html>");
        return builder.ToString();
    }

    /// <summary>Whether the HTML refers to images on other servers (which the frame holds back until asked).</summary>
    public static bool HasRemoteImages(string sanitizedHtml) =>
        sanitizedHtml.Contains("src=\"http", StringComparison.OrdinalIgnoreCase)
        || sanitizedHtml.Contains("url(http", StringComparison.OrdinalIgnoreCase)
        || sanitizedHtml.Contains("src=\"//", StringComparison.OrdinalIgnoreCase);
}
