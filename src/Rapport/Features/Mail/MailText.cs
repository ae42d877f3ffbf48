using System.Text;
using static Rapport.Features.Mail.MailTextPatterns;

namespace Rapport.Features.Mail;

public enum MailTextKind
{
    /// <summary>What the sender wrote this time.</summary>
    New,
    /// <summary>Quoted history: "&gt;" lines, attributions, Outlook header blocks and what follows them.</summary>
    Quote,
    /// <summary>"-- " signatures, "Sent from my iPhone", mailing-list footers.</summary>
    Signature,
    /// <summary>A forwarded message (read again in <see cref="MailText.Forwards"/>).</summary>
    Forward,
}

public sealed record MailTextPart(MailTextKind Kind, string Text);

/// <summary>A message forwarded inside this one, with its original sender.</summary>
public sealed record ForwardedMail(string? From, string? Subject, MailText Text);

/// <summary>One model of an email's text (docs/decisions/0067-one-model-of-an-emails-text.md): the text in parts that
/// are never dropped (new text, quoted history, signature, forwarded content), in their order. Top-posted, bottom-posted
/// and interleaved replies all keep what the sender wrote; when unsure, a line stays new text. Bounded work: the first
/// <see cref="MaxChars"/> characters are read line by line (the rest follows as one part), each line cut for matching.</summary>
public sealed partial class MailText
{
    public const int MaxChars = 200_000;
    private const int MaxForwardDepth = 3;

    private MailText(IReadOnlyList<MailTextPart> parts, IReadOnlyList<ForwardedMail> forwards)
    {
        Parts = parts;
        Forwards = forwards;
        Interleaved = IsInterleaved(parts);
        NewText = Join(parts, MailTextKind.New);
    }

    public IReadOnlyList<MailTextPart> Parts { get; }
    public IReadOnlyList<ForwardedMail> Forwards { get; }
    /// <summary>Answers written between quoted lines (more than one quote followed by new text).</summary>
    public bool Interleaved { get; }
    /// <summary>What the sender wrote this time, without quotes, signature or forwarded messages.</summary>
    public string NewText { get; }
    public string Quoted => Join(Parts, MailTextKind.Quote);
    public string Signature => Join(Parts, MailTextKind.Signature);

    /// <summary>What the sender asks about: the new text and the new text of the messages they forwarded.</summary>
    public string Content => string.Join("\n\n", Forwards.Select(f => f.Text.Content).Prepend(NewText).Where(t => t.Length > 0));

    /// <summary>What the ticket shows: the new text (each interleaved answer under the quoted line it answers), then each
    /// forwarded message with its original sender.</summary>
    public string Shown()
    {
        var shown = new StringBuilder();
        for (var i = 0; i < Parts.Count; i++)
        {
            if (Parts[i].Kind != MailTextKind.New)
            {
                continue;
            }
            if (shown.Length > 0)
            {
                shown.Append("\n\n");
            }
            if (Interleaved && i > 0 && Parts[i - 1].Kind == MailTextKind.Quote)
            {
                foreach (var line in Parts[i - 1].Text.Split('\n').Where(l => l.Trim().Length > 0).TakeLast(2))
                {
                    shown.Append(line.TrimStart().StartsWith('>') ? line.TrimStart() : "> " + line.Trim()).Append('\n');
                }
            }
            shown.Append(Parts[i].Text);
        }
        foreach (var forward in Forwards)
        {
            shown.Append(shown.Length > 0 ? "\n\n" : "").Append("---------- Forwarded message ----------\n");
            if (forward.From is { Length: > 0 } from)
            {
                shown.Append("From: ").Append(from).Append('\n');
            }
            if (forward.Subject is { Length: > 0 } subject)
            {
                shown.Append("Subject: ").Append(subject).Append('\n');
            }
            shown.Append('\n').Append(forward.Text.Shown());
        }
        return shown.ToString().Trim();
    }

    /// <summary>Reads a plain-text message. <paramref name="subject"/> tells an Outlook forward from a reply.</summary>
    public static MailText Read(string? text, string? subject = null) => Read(text ?? "", subject, 0);

    /// <summary>Reads an HTML-only message by its own quote markup first (<see cref="MailTextHtml"/>).</summary>
    public static MailText ReadHtml(string? html, string? subject, TimeProvider time, CancellationToken ct) =>
        Read(MailTextHtml.Mark(html, time, ct), subject, 0);

    private static MailText Read(string text, string? subject, int depth)
    {
        var all = text.Replace("\r\n", "\n").Replace('\r', '\n');
        var overflow = all.Length > MaxChars ? all[MaxChars..] : "";
        var lines = (overflow.Length > 0 ? all[..MaxChars] : all).Split('\n');
        var kinds = new MailTextKind[lines.Length];
        var named = NamedQuotePrefixes(lines);
        var forwardFrom = -1;
        var signature = false;
        var i = 0;
        while (i < lines.Length)
        {
            var line = Cut(lines[i]);
            if (line.Trim().Length == 0)
            {
                i++;
                continue;
            }
            if (IsQuote(line, named))
            {
                signature = false;
                kinds[i++] = MailTextKind.Quote;
                continue;
            }
            if (ForwardMarker().IsMatch(line))
            {
                forwardFrom = i;
                break;
            }
            var attribution = AttributionLength(lines, i, out var strong);
            if (attribution > 0)
            {
                var next = NextNonBlank(lines, i + attribution);
                if (next >= 0 && IsQuote(Cut(lines[next]), named))
                {
                    signature = false;
                    Array.Fill(kinds, MailTextKind.Quote, i, attribution);
                    i += attribution;
                    continue;
                }
                if (strong)
                {
                    Array.Fill(kinds, MailTextKind.Quote, i, lines.Length - i);
                    break;
                }
            }
            if (OriginalMessage().IsMatch(line) || HeaderBlockAt(lines, i) || SeparatorAbove(lines, i))
            {
                var start = SeparatorBefore(lines, i);
                if (IsForward(lines, i, subject))
                {
                    forwardFrom = start;
                    break;
                }
                Array.Fill(kinds, MailTextKind.Quote, start, lines.Length - start);
                break;
            }
            if (line.TrimEnd() == "--" && (i > 0 || line == "-- "))
            {
                signature = true;
            }
            else if (Separator().IsMatch(line) && Enumerable.Range(i + 1, 3).Any(j => j < lines.Length && ListFooter().IsMatch(Cut(lines[j]))))
            {
                Array.Fill(kinds, MailTextKind.Signature, i, lines.Length - i);
                break;
            }
            else if (Separator().IsMatch(line) && ContactBlockBelow(lines, i + 1, named))
            {
                signature = true;
            }
            else if (line.Length <= 100 && MobileSignature().IsMatch(line) && (DeviceOrApp().IsMatch(line) || line.Contains("<http", StringComparison.Ordinal)))
            {
                kinds[i++] = MailTextKind.Signature;
                continue;
            }
            kinds[i] = WrappedQuote(lines, i, named) ? MailTextKind.Quote : signature ? MailTextKind.Signature : MailTextKind.New;
            i++;
        }

        MarkDashNames(lines, kinds, forwardFrom < 0 ? lines.Length : forwardFrom);
        var forwards = new List<ForwardedMail>();
        if (forwardFrom >= 0)
        {
            Array.Fill(kinds, MailTextKind.Forward, forwardFrom, lines.Length - forwardFrom);
            if (depth < MaxForwardDepth)
            {
                forwards.Add(Forwarded(lines, forwardFrom, depth));
            }
            else
            {
                Array.Fill(kinds, MailTextKind.Quote, forwardFrom, lines.Length - forwardFrom);
            }
        }
        var parts = Group(lines, kinds);
        if (overflow.Length > 0)
        {
            parts.Add(new MailTextPart(parts.Count > 0 ? parts[^1].Kind : MailTextKind.New, overflow));
        }
        if (forwards.Count == 0 && !parts.Any(p => p.Kind == MailTextKind.New))
        {
            // Nothing looked new: unsure, so the whole text is the new text.
            return new MailText([new MailTextPart(MailTextKind.New, all.Trim())], []);
        }
        return new MailText(parts, forwards);
    }

    /// <summary>A "-Abhishek" sign-off closing a block of new text (before the quote or at the end) is the signature.</summary>
    private static void MarkDashNames(string[] lines, MailTextKind[] kinds, int end)
    {
        for (var i = 0; i < end; i++)
        {
            if (kinds[i] != MailTextKind.New || lines[i].Length > 40 || !DashName().IsMatch(lines[i]))
            {
                continue;
            }
            // Not the last item of a list ("Broken:\n-Printer\n-Scanner").
            var previous = i - 1;
            while (previous >= 0 && lines[previous].Trim().Length == 0)
            {
                previous--;
            }
            if (previous >= 0 && (lines[previous].TrimStart().StartsWith('-') || lines[previous].TrimEnd().EndsWith(':')))
            {
                continue;
            }
            var next = NextNonBlank(lines, i + 1);
            if (next < 0 || next >= end || kinds[next] != MailTextKind.New)
            {
                kinds[i] = MailTextKind.Signature;
            }
        }
    }

    private static ForwardedMail Forwarded(string[] lines, int from, int depth)
    {
        var j = from;
        var first = Cut(lines[j]);
        if (ForwardMarker().IsMatch(first) || OriginalMessage().IsMatch(first) || Separator().IsMatch(first))
        {
            j++;
        }
        // Apple Mail quotes the forwarded message under its marker: one level of "> " is the forward's, not history.
        var rest = lines.Skip(j).ToArray();
        if (rest.Any(l => l.Trim().Length > 0) && rest.All(l => l.Trim().Length == 0 || l.TrimStart().StartsWith('>')))
        {
            rest = rest.Select(Unquote).ToArray();
        }
        lines = rest;
        j = 0;
        string? sender = null, subject = null;
        var fields = 0;
        for (var seen = 0; j < lines.Length && seen < 16; seen++)
        {
            var line = Cut(lines[j]);
            if (line.Trim().Length == 0 || Separator().IsMatch(line) || OriginalMessage().IsMatch(line))
            {
                j++;
                if (fields > 0 && line.Trim().Length == 0)
                {
                    break;
                }
                continue;
            }
            if (FromField().IsMatch(line))
            {
                sender = ValueOf(line);
            }
            else if (SubjectField().IsMatch(line))
            {
                subject = ValueOf(line);
            }
            else if (!OtherField().IsMatch(line) && !DateField().IsMatch(line))
            {
                break;
            }
            fields++;
            j++;
        }
        var body = string.Join('\n', lines.Skip(j));
        return new ForwardedMail(sender, subject, Read(body, subject, depth + 1));
    }

    private static string Unquote(string line)
    {
        var at = line.IndexOf('>', StringComparison.Ordinal);
        if (at < 0)
        {
            return line;
        }
        var after = line[(at + 1)..];
        return after.StartsWith(' ') ? after[1..] : after;
    }

    private static string ValueOf(string field)
    {
        var colon = field.IndexOfAny([':', '：']);
        return field[(colon + 1)..].Replace("*", "", StringComparison.Ordinal).Trim();
    }

    private static List<MailTextPart> Group(string[] lines, MailTextKind[] kinds)
    {
        var parts = new List<MailTextPart>();
        var current = new StringBuilder();
        MailTextKind? kind = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var blank = lines[i].Trim().Length == 0;
            if (!blank && kind != kinds[i])
            {
                Add();
                kind = kinds[i];
            }
            current.Append(lines[i].TrimEnd()).Append('\n');
        }
        Add();
        return parts;

        void Add()
        {
            var text = current.ToString().Trim('\n', ' ', '\t');
            if (kind is { } k && text.Length > 0)
            {
                parts.Add(new MailTextPart(k, text));
            }
            current.Clear();
        }
    }

    private static bool IsInterleaved(IReadOnlyList<MailTextPart> parts)
    {
        var answered = 0;
        for (var i = 1; i < parts.Count; i++)
        {
            answered += parts[i].Kind == MailTextKind.New && parts[i - 1].Kind == MailTextKind.Quote ? 1 : 0;
        }
        return answered >= 2;
    }

    private static string Join(IReadOnlyList<MailTextPart> parts, MailTextKind kind) =>
        string.Join("\n\n", parts.Where(p => p.Kind == kind).Select(p => p.Text));
}
