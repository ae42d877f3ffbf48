using System.Globalization;
using System.Text;
using Rapport.Bench.Generate;

namespace Rapport.Bench.Measure;

/// <summary>Raw MIME for the mail benchmarks, typical of a support inbox: 5–50 KB (log-uniform), 60% new
/// conversations, 33% replies threading to an earlier message of this mix (In-Reply-To and References), 5% auto-replies
/// (Auto-Submitted, "Automatic reply:"), 2% bounces from mailer-daemon; 30% carry an HTML alternative, 20% a small
/// attachment (a PNG or PDF of 4–30 KB, every one different). Every message has its own Message-ID. The size comes
/// from the customer's text and the quoted history below it, as mail clients send it.
/// With <paramref name="hostilePercent"/>, that share of the messages are new conversations whose only body is
/// hostile HTML of about 100 KB (the shapes of <see cref="HostileHtml"/> in turn), which intake reads its text from.</summary>
internal sealed class MailMix(string run, int stream, string to, int seed, int hostilePercent = 0)
{
    public enum Kind { New, Reply, AutoReply, Bounce, Hostile }

    private const int HostileSize = 100 * 1024;

    private readonly Random _random = new(seed);
    private readonly List<(string MessageId, string From, string Name, string Subject)> _threads = [];
    private int _count;

    public (byte[] Raw, Kind Kind) Next()
    {
        var n = _count++;
        if (hostilePercent > 0 && _random.Next(100) < hostilePercent)
        {
            return (Hostile($"{run}.{stream}.{n}@bench.example", n), Kind.Hostile);
        }
        var roll = _random.Next(100);
        var kind = _threads.Count == 0 || roll < 60 ? Kind.New : roll < 93 ? Kind.Reply : roll < 98 ? Kind.AutoReply : Kind.Bounce;
        var messageId = $"{run}.{stream}.{n}@bench.example";
        var target = (int)(5 * 1024 * Math.Pow(10, _random.NextDouble()));
        var html = _random.Next(100) < 30;
        var attachment = kind is Kind.New or Kind.Reply && _random.Next(100) < 20 ? _random.Next(4 * 1024, 30 * 1024) : 0;

        string from, name, subject;
        string? inReplyTo = null;
        var headers = new StringBuilder();
        switch (kind)
        {
            case Kind.New:
                var first = Pick(Vocabulary.FirstNames);
                var last = Pick(Vocabulary.LastNames);
                name = $"{first} {last}";
                from = $"{Local(first)}.{Local(last)}.{run}{stream}x{n}@{Pick(Vocabulary.MailDomains)}";
                subject = Fill(Vocabulary.Topics[_random.Next(Vocabulary.Topics.Length)].Subject);
                _threads.Add((messageId, from, name, subject));
                break;
            case Kind.Reply:
                var thread = _threads[_random.Next(_threads.Count)];
                (from, name, subject, inReplyTo) = (thread.From, thread.Name, "Re: " + thread.Subject, thread.MessageId);
                break;
            case Kind.AutoReply:
                var away = _threads[_random.Next(_threads.Count)];
                (from, name, subject, inReplyTo) = (away.From, away.Name, "Automatic reply: " + away.Subject, away.MessageId);
                headers.Append("Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n");
                break;
            default:
                var bounced = _threads[_random.Next(_threads.Count)];
                (from, name, subject, inReplyTo) = ("mailer-daemon@bench.example", "Mail Delivery System", "Undelivered Mail Returned to Sender", bounced.MessageId);
                headers.Append("Auto-Submitted: auto-replied\r\n");
                break;
        }

        var text = Text(kind, name, target - attachment * 4 / 3 - (html ? target / 3 : 0));
        var sb = new StringBuilder(target + 2048);
        sb.Append("Return-Path: <").Append(kind == Kind.Bounce ? "" : from).Append(">\r\n");
        sb.Append("Received: from mx.bench.example by mail.bench.example with ESMTPS; ")
            .Append(DateTime.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("From: \"").Append(name).Append("\" <").Append(from).Append(">\r\n");
        sb.Append("To: Support <").Append(to).Append(">\r\n");
        sb.Append("Subject: ").Append(subject).Append("\r\n");
        sb.Append("Date: ").Append(DateTime.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("Message-ID: <").Append(messageId).Append(">\r\n");
        if (inReplyTo is not null)
        {
            sb.Append("In-Reply-To: <").Append(inReplyTo).Append(">\r\nReferences: <").Append(inReplyTo).Append(">\r\n");
        }
        sb.Append(headers);
        sb.Append("MIME-Version: 1.0\r\n");

        var textPart = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text + "\r\n";
        var body = textPart;
        if (html)
        {
            var alt = Boundary("alt");
            body = $"Content-Type: multipart/alternative; boundary=\"{alt}\"\r\n\r\n--{alt}\r\n{textPart}--{alt}\r\n"
                + "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + Html(text) + "\r\n--" + alt + "--\r\n";
        }
        if (attachment > 0)
        {
            var mixed = Boundary("mix");
            var png = _random.Next(2) == 0;
            body = $"Content-Type: multipart/mixed; boundary=\"{mixed}\"\r\n\r\n--{mixed}\r\n{body}--{mixed}\r\n"
                + $"Content-Type: {(png ? "image/png" : "application/pdf")}; name=\"{(png ? "screenshot.png" : "invoice.pdf")}\"\r\n"
                + $"Content-Disposition: attachment; filename=\"{(png ? "screenshot.png" : "invoice.pdf")}\"\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n" + Base64Lines(Attachment(png, attachment)) + "--" + mixed + "--\r\n";
        }
        sb.Append(body);
        return (Encoding.UTF8.GetBytes(sb.ToString()), kind);
    }

    /// <summary>A new conversation whose only body is hostile HTML (base64, as a client would send such long lines).</summary>
    private byte[] Hostile(string messageId, int n)
    {
        var (shape, make) = HostileHtml.Shapes[_random.Next(HostileHtml.Shapes.Count)];
        var first = Pick(Vocabulary.FirstNames);
        var from = $"{Local(first)}.{run}{stream}x{n}@{Pick(Vocabulary.MailDomains)}";
        var sb = new StringBuilder(HostileSize * 4 / 3 + 4096);
        sb.Append("Return-Path: <").Append(from).Append(">\r\n");
        sb.Append("From: \"").Append(first).Append("\" <").Append(from).Append(">\r\n");
        sb.Append("To: Support <").Append(to).Append(">\r\n");
        sb.Append("Subject: ").Append(shape).Append("\r\n");
        sb.Append("Date: ").Append(DateTime.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("Message-ID: <").Append(messageId).Append(">\r\n");
        sb.Append("MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        sb.Append(Base64Lines(Encoding.UTF8.GetBytes(make(HostileSize))));
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private string Text(Kind kind, string name, int size)
    {
        var sb = new StringBuilder(Math.Max(size, 512));
        var topic = Vocabulary.Topics[_random.Next(Vocabulary.Topics.Length)];
        switch (kind)
        {
            case Kind.AutoReply:
                sb.Append("I am out of the office until ").Append(Pick(Vocabulary.Days)).Append(" with limited access to email.\r\n\r\n");
                break;
            case Kind.Bounce:
                sb.Append("This is the mail system at host mx.bench.example.\r\n\r\nI'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients.\r\n\r\n");
                break;
            default:
                sb.Append(Pick(Vocabulary.Greetings)).Append("\r\n\r\n");
                Wrap(sb, Fill(kind == Kind.New ? topic.Body : Pick(Vocabulary.FollowUps) + " " + Fill(topic.Body)));
                sb.Append("\r\n").Append(Pick(Vocabulary.SignOffs)).Append("\r\n").Append(name).Append("\r\n\r\n-- \r\n")
                    .Append(name).Append("\r\n").Append(Pick(Vocabulary.OrganizationWords)).Append(' ').Append(Pick(Vocabulary.OrganizationKinds))
                    .Append("\r\nPhone +49 30 ").Append(_random.Next(1000000, 9999999)).Append("\r\n\r\n");
                break;
        }
        // The quoted history: earlier replies and messages, as clients quote them.
        var depth = 0;
        while (sb.Length < size)
        {
            sb.Append("On ").Append(Pick(Vocabulary.Days)).Append(", ").Append(Pick(Vocabulary.Months)).Append(' ').Append(_random.Next(1, 29))
                .Append(", Support <support@bench.example> wrote:\r\n");
            var quote = new StringBuilder();
            Wrap(quote, Pick(Vocabulary.Replies) + " " + Pick(Vocabulary.Replies) + " " + Fill(Vocabulary.Topics[_random.Next(Vocabulary.Topics.Length)].Body));
            var prefix = new string('>', Math.Min(++depth, 6)) + " ";
            foreach (var line in quote.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
            {
                sb.Append(prefix).Append(line).Append("\r\n");
            }
            sb.Append(prefix.TrimEnd()).Append("\r\n");
        }
        return sb.ToString();
    }

    private static string Html(string text) =>
        "<html><head><meta charset=\"utf-8\"></head><body><div style=\"font-family: Calibri, sans-serif; font-size: 11pt\">\r\n"
        + string.Join("\r\n", text.Split("\r\n").Select(l => l.StartsWith('>')
            ? "<blockquote style=\"margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex\">" + System.Net.WebUtility.HtmlEncode(l.TrimStart('>', ' ')) + "</blockquote>"
            : "<p>" + System.Net.WebUtility.HtmlEncode(l) + "</p>"))
        + "\r\n</div></body></html>";

    private byte[] Attachment(bool png, int size)
    {
        var bytes = new byte[size];
        _random.NextBytes(bytes);
        byte[] magic = png ? [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] : "%PDF-1.7\n"u8.ToArray();
        magic.CopyTo(bytes, 0);
        return bytes;
    }

    private static string Base64Lines(byte[] bytes)
    {
        var encoded = Convert.ToBase64String(bytes);
        var sb = new StringBuilder(encoded.Length + encoded.Length / 38);
        for (var i = 0; i < encoded.Length; i += 76)
        {
            sb.Append(encoded, i, Math.Min(76, encoded.Length - i)).Append("\r\n");
        }
        return sb.ToString();
    }

    private static void Wrap(StringBuilder sb, string paragraph)
    {
        var line = 0;
        foreach (var word in paragraph.Split(' '))
        {
            if (line > 0 && line + word.Length > 72)
            {
                sb.Append("\r\n");
                line = 0;
            }
            else if (line > 0)
            {
                sb.Append(' ');
                line++;
            }
            sb.Append(word);
            line += word.Length;
        }
        sb.Append("\r\n");
    }

    private static string Local(string name) => new(name.ToLowerInvariant().Select(c => c == 'ü' ? 'u' : c).Where(char.IsAsciiLetterOrDigit).ToArray());

    private string Boundary(string kind) => $"=_{kind}_{_random.Next():x8}{_random.Next():x8}";

    private string Pick(string[] values) => values[_random.Next(values.Length)];

    private string Fill(string template) => template
        .Replace("{n}", _random.Next(1000, 99999).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{order}", _random.Next(100000, 999999).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{product}", Pick(Vocabulary.Products), StringComparison.Ordinal)
        .Replace("{feature}", Pick(Vocabulary.Features), StringComparison.Ordinal)
        .Replace("{day}", Pick(Vocabulary.Days), StringComparison.Ordinal)
        .Replace("{month}", Pick(Vocabulary.Months), StringComparison.Ordinal);
}
