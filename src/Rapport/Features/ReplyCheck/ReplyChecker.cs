using System.Text.RegularExpressions;

namespace Rapport.Features.ReplyCheck;

public enum AskKind { Question, Request }

/// <summary>What the customer asked for, and what kind of answer it wants (a date, an amount, a number, or anything).</summary>
public sealed record CustomerAsk(string Text, AskKind Kind, string Wants, IReadOnlySet<string> Concepts);

public sealed record AskCoverage(string Text, AskKind Kind, bool Covered, string Why);

/// <summary>How a customer's message reads, decided once when it arrives: its sentiment (rounded) and whether it is a
/// complaint, both from the customer's own words (quoted history and signature removed).</summary>
public readonly record struct CustomerTone(double Sentiment, bool IsComplaint)
{
    public static CustomerTone Of(string text)
    {
        var own = Words.OwnText(text);
        var score = ReplyCheck.Sentiment.Shared.Score(own);
        return new CustomerTone(Math.Round(score, 3), ReplyChecker.IsComplaint(own, score));
    }
}

public sealed record ReplyFlag(string Kind, string Phrase, string Message);

public sealed record ReplyCheckResult(
    IReadOnlyList<AskCoverage> Questions,
    IReadOnlyList<ReplyFlag> Flags,
    double CustomerSentiment,
    bool Complaint)
{
    public int Unanswered => Questions.Count(q => !q.Covered);
}

/// <summary>Reads a draft the way a careful colleague would before it goes out: which of the customer's questions and
/// requests it leaves unanswered, whether it is a saved reply sent unedited past specific questions, and its tone
/// (and, on a complaint, its empathy). Every flag names the phrase and says why. Pure and fast: no I/O.</summary>
public static partial class ReplyChecker
{
    /// <summary>Checks <paramref name="draft"/> against the customer's messages since our last reply.</summary>
    public static ReplyCheckResult Check(IReadOnlyList<string> customerMessages, string draft, IReadOnlyList<string>? savedReplies = null)
    {
        var own = customerMessages.Select(Words.OwnText).Where(t => t.Length > 0).ToList();
        var asks = own.SelectMany(FindAsks).DistinctBy(a => a.Text, StringComparer.OrdinalIgnoreCase).ToList();
        var sentiment = own.Count == 0 ? 0 : own.Min(Sentiment.Shared.Score);
        var complaint = own.Any(IsComplaint);

        var draftSentences = Words.Sentences(Words.OwnText(draft)).Select(x => (Text: x, Concepts: Words.Concepts(x))).ToList();
        var coverage = asks.Select(a => Cover(a, draft, draftSentences)).ToList();
        var flags = new List<ReplyFlag>();
        FormLetter(draft, savedReplies, coverage, flags);
        Tone(draft, flags);
        if (complaint)
        {
            Empathy(draft, flags);
        }
        return new ReplyCheckResult(coverage, flags, Math.Round(sentiment, 3), complaint);
    }

    /// <summary>Whether a customer's message reads as a complaint: strongly negative, or telling of frustration
    /// ("still waiting", "what's going on", "you told me…"), which a lexicon alone misses in polite-but-fed-up mail.</summary>
    public static bool IsComplaint(string ownText) => IsComplaint(ownText, Sentiment.Shared.Score(ownText));

    internal static bool IsComplaint(string ownText, double sentiment) =>
        sentiment <= Sentiment.ComplaintThreshold || ComplaintPhrase().IsMatch(ownText) || Frustration().IsMatch(ownText);

    /// <summary>The questions and requests in a customer's own words (quoted history and signature already removed).</summary>
    public static IReadOnlyList<CustomerAsk> FindAsks(string ownText)
    {
        var result = new List<CustomerAsk>();
        foreach (var sentence in Words.Sentences(ownText))
        {
            var lower = sentence.ToLowerInvariant().Trim();
            var words = Words.Tokens(lower);
            if (words.Count < 3 || NotAnAsk().IsMatch(lower))
            {
                continue;
            }
            AskKind? kind = null;
            if (lower.EndsWith('?') || QuestionStart().IsMatch(lower))
            {
                kind = AskKind.Question;
            }
            else if (RequestPattern().IsMatch(lower) || ProblemReport().IsMatch(lower))
            {
                kind = AskKind.Request;
            }
            if (kind is null)
            {
                continue;
            }
            var concepts = Words.Concepts(lower);
            concepts.ExceptWith(Generic);
            if (concepts.Count == 0)
            {
                continue;
            }
            result.Add(new CustomerAsk(sentence, kind.Value, Wants(lower), concepts));
        }
        return result;
    }

    private static string Wants(string lower) =>
        WantsDate().IsMatch(lower) ? "date"
        : WantsAmount().IsMatch(lower) ? "amount"
        : WantsNumber().IsMatch(lower) ? "number"
        : "any";

    private static AskCoverage Cover(CustomerAsk ask, string draft, List<(string Text, HashSet<string> Concepts)> draftSentences)
    {
        // An answer written under the quoted question.
        var quoted = QuotedAnswer(ask, draft);
        if (quoted)
        {
            return new AskCoverage(ask.Text, ask.Kind, true, "answered below the quoted question");
        }
        // Words every message of a desk shares ("card", "account") tell nothing about which question an answer speaks to.
        var strong = ask.Concepts.Where(c => !Words.Weak.Contains(c)).ToList();
        if (strong.Count == 0)
        {
            strong = [.. ask.Concepts];
        }
        var best = 0.0;
        var bestSentence = "";
        var shared = new List<string>();
        foreach (var (sentence, concepts) in draftSentences)
        {
            var overlap = strong.Where(concepts.Contains).ToList();
            var score = (double)overlap.Count / strong.Count;
            if (score > best)
            {
                best = score;
                bestSentence = sentence;
                shared = overlap;
            }
        }
        var needed = strong.Count switch { <= 3 => 0.01, <= 5 => 0.34, _ => 0.25 };
        if (best < needed || shared.Count == 0)
        {
            return new AskCoverage(ask.Text, ask.Kind, false,
                best == 0 ? "the draft does not mention it" : $"the draft touches it only in passing (\u201c{string.Join(", ", shared)}\u201d)");
        }
        var answerShape = ask.Wants switch
        {
            "date" => DateOrTime().IsMatch(bestSentence),
            "amount" => Amount().IsMatch(bestSentence),
            "number" => AnyNumber().IsMatch(bestSentence),
            _ => true,
        };
        if (!answerShape && (best < 0.67 || strong.Count < 3))
        {
            return new AskCoverage(ask.Text, ask.Kind, false, ask.Wants switch
            {
                "date" => "the customer asked when; the draft gives no date or time",
                "amount" => "the customer asked how much; the draft gives no amount",
                _ => "the customer asked for a number; the draft gives none",
            });
        }
        return new AskCoverage(ask.Text, ask.Kind, true, $"speaks to \u201c{string.Join(", ", shared)}\u201d");
    }

    private static bool QuotedAnswer(CustomerAsk ask, string draft)
    {
        var lines = draft.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i].TrimStart();
            if (!line.StartsWith('>'))
            {
                continue;
            }
            var quotedConcepts = Words.Concepts(line.TrimStart('>'));
            if (ask.Concepts.Count(quotedConcepts.Contains) * 2 < ask.Concepts.Count + 1)
            {
                continue;
            }
            var next = lines.Skip(i + 1).SkipWhile(l => l.TrimStart().StartsWith('>')).FirstOrDefault(l => l.Trim().Length > 0);
            if (next is not null && Words.Tokens(next).Count >= 1)
            {
                return true;
            }
        }
        return false;
    }

    private static void FormLetter(string draft, IReadOnlyList<string>? savedReplies, List<AskCoverage> coverage, List<ReplyFlag> flags)
    {
        if (savedReplies is not { Count: > 0 } || coverage.All(c => c.Covered))
        {
            return;
        }
        var draftShingles = Shingles(draft);
        if (draftShingles.Count < 4)
        {
            return;
        }
        foreach (var saved in savedReplies)
        {
            var savedShingles = Shingles(saved);
            var fromSaved = draftShingles.Count(savedShingles.Contains) / (double)draftShingles.Count;
            if (fromSaved >= 0.8)
            {
                var missed = coverage.Where(c => !c.Covered).Select(c => $"\u201c{c.Text}\u201d");
                flags.Add(new ReplyFlag("form-letter", Snippet(saved),
                    $"This is {fromSaved:P0} a saved reply, sent nearly unedited, while the customer asked specific things it does not touch: {string.Join("; ", missed)}."));
                return;
            }
        }
    }

    private static HashSet<string> Shingles(string text)
    {
        var tokens = Words.Tokens(text);
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 2 < tokens.Count; i++)
        {
            set.Add(tokens[i] + " " + tokens[i + 1] + " " + tokens[i + 2]);
        }
        return set;
    }

    private static void Tone(string draft, List<ReplyFlag> flags)
    {
        var text = Words.OwnText(draft);
        foreach (Match m in Blame().Matches(text))
        {
            flags.Add(new ReplyFlag("blame", m.Value, $"\u201c{m.Value}\u201d puts the fault on the customer or sounds defensive. Say what happens next instead."));
        }
        foreach (Match m in Sarcasm().Matches(text))
        {
            flags.Add(new ReplyFlag("sarcasm", m.Value, $"\u201c{m.Value}\u201d can read as sarcastic in writing."));
        }
        var shouted = Shouting().Matches(text).Select(m => m.Value).Where(w => !Acronyms.Contains(w)).ToList();
        if (shouted.Count >= 2)
        {
            flags.Add(new ReplyFlag("shouting", string.Join(" ", shouted.Take(5)), "Words in capitals read as shouting."));
        }
        foreach (Match m in Exclamations().Matches(text))
        {
            flags.Add(new ReplyFlag("shouting", m.Value, "Several exclamation marks read as shouting or impatience."));
        }
        var firstLine = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        if (text.Length > 0 && !Greeting().IsMatch(firstLine))
        {
            flags.Add(new ReplyFlag("no-greeting", Snippet(firstLine), "The reply starts without a greeting (\u201cHi Maya,\u201d)."));
        }
        var lastLines = string.Join(' ', text.Split('\n').Where(l => l.Trim().Length > 0).TakeLast(3));
        if (text.Length > 0 && !Closing().IsMatch(lastLines))
        {
            flags.Add(new ReplyFlag("no-closing", Snippet(lastLines), "The reply ends without a closing (\u201cBest regards,\u201d, \u201cThanks,\u201d)."));
        }
        foreach (var sentence in Words.Sentences(text))
        {
            var count = Words.Tokens(sentence).Count;
            if (count > 40)
            {
                flags.Add(new ReplyFlag("long-sentence", Snippet(sentence), $"A sentence of {count} words is hard to follow. Split it."));
            }
        }
    }

    private static void Empathy(string draft, List<ReplyFlag> flags)
    {
        var text = Words.OwnText(draft);
        if (!Acknowledge().IsMatch(text))
        {
            flags.Add(new ReplyFlag("no-acknowledgement", "", "The customer is upset. Acknowledge the problem in your own words (\u201cI understand how frustrating it is to be charged twice\u201d)."));
        }
        if (!Apology().IsMatch(text))
        {
            flags.Add(new ReplyFlag("no-apology", "", "The customer is upset and the reply does not apologise."));
        }
        if (!Ownership().IsMatch(text))
        {
            flags.Add(new ReplyFlag("no-ownership", "", "Take ownership: say what you will do (\u201cI'll\u2026\u201d, \u201cI have\u2026\u201d), not what the customer should do."));
        }
        if (!NextStep().IsMatch(text))
        {
            flags.Add(new ReplyFlag("no-next-step", "", "Give a concrete next step with a time (\u201cYou'll have the refund by Friday\u201d)."));
        }
    }

    private static string Snippet(string text) => text.Length <= 80 ? text : text[..77] + "\u2026";

    /// <summary>Concepts too general to tell one question from another.</summary>
    private static readonly HashSet<string> Generic = new(StringComparer.Ordinal)
    {
        "possibl", "possible", "problem", "issue", "info", "information", "detail", "happen", "work", "sort", "fine", "good",
        "ask", "send", "give", "take", "put", "find", "have", "show", "understand", "explain", "mean", "sure",
    };

    private static readonly HashSet<string> Acronyms = new(StringComparer.Ordinal)
    {
        "ATM", "PIN", "VAT", "USD", "EUR", "GBP", "FAQ", "API", "PDF", "URL", "SMS", "ID", "UK", "US", "EU", "OK", "IBAN", "BIC",
        "SWIFT", "CEO", "IT", "PS", "NB", "ETA", "ASAP", "AM", "PM", "CVV", "CVC",
    };

    [GeneratedRegex(@"^(what|when|where|why|how|who|which|whose|can|could|would|will|is|are|am|was|were|do|does|did|should|shall|may|might|have|has|had|isn't|aren't|won't|can't|didn't|doesn't)\b")]
    private static partial Regex QuestionStart();

    [GeneratedRegex(@"\b(please\s+\w+|pls\s+\w+|i\s+(?:would|'d)\s+like\b|i\s+need\b|i\s+want\b|i'm\s+(?:looking|trying)\b|i\s+am\s+(?:looking|trying)\b|let\s+me\s+know\b|i\s+(?:don't|do\s+not|can't|cannot)\s+(?:understand|see|find|figure)\b|kindly\s+\w+|send\s+me\b|tell\s+me\b|explain\b|i\s+(?:still\s+)?(?:haven't|have\s+not|didn't|did\s+not)\s+(?:received|got|gotten)\b|i\s+was\s+(?:charged|billed)\b|help\s+me\b|i\s+wish\s+to\b|i'd\s+appreciate\b|can\s+i\b|i\s+wonder\b|i'm\s+wondering\b|i\s+am\s+wondering\b)")]
    private static partial Regex RequestPattern();

    /// <summary>A problem told as a statement is an implicit request to fix it ("My PIN has been blocked.").</summary>
    [GeneratedRegex(@"\b(blocked|declined|lost|missing|stolen|stuck|failed|fails|error|wrong|broken|damaged|hacked|fraud|frozen|locked|twice|double|overcharged|refused|rejected|forgot|forgotten|(?:can't|cannot|couldn't|could not|unable to|won't|isn't|doesn't|didn't|hasn't|haven't|not)\s+(?:\w+\s+)?(?:work|working|arrive|arrived|remember|go through|going through|received|come|show|showing|complete|find|log|access|use)|someone\s+(?:else\s+)?(?:\w+\s+)?(?:is|may be|has been)?\s*using|showing (?:up )?(?:several|multiple|two) times|want(?:ed)? to know|need help|still waiting|still pending|pending|haven't got)\b")]
    private static partial Regex ProblemReport();

    [GeneratedRegex(@"^(thanks|thank you|many thanks|cheers|hi|hello|dear|hope (you|all)|how are you|have a (nice|good|great)|best|kind regards|regards|sorry to bother)\b|^(ok|okay|great|perfect)\b[.!]?$")]
    private static partial Regex NotAnAsk();

    [GeneratedRegex(@"\b(when|what time|what date|what day|how long|how soon|by when|until when|which day|eta|arrive|deadline)\b")]
    private static partial Regex WantsDate();

    [GeneratedRegex(@"\b(how much|what (?:is|'s|are) the (?:price|cost|fee|fees|charge|rate)s?|what does it cost|price of|cost of)\b")]
    private static partial Regex WantsAmount();

    [GeneratedRegex(@"\b(how many|what number|which number|tracking number|order number|reference number)\b")]
    private static partial Regex WantsNumber();

    [GeneratedRegex(@"\b(\d{1,2}[:.]\d{2}|\d{1,2}\s?(am|pm)|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun|today|tomorrow|tonight|this (morning|afternoon|evening|week)|next (week|month|\w+day)|within \d+|in \d+ (minutes?|hours?|days?|weeks?)|\d+ (business |working )?(days?|hours?|weeks?)|(january|february|march|april|may|june|july|august|september|october|november|december)|\d{1,2}(st|nd|rd|th)|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}|end of (the )?(day|week|month)|asap|right away|immediately|already)\b", RegexOptions.IgnoreCase)]
    private static partial Regex DateOrTime();

    [GeneratedRegex(@"([$€£¥]\s?\d|\d[\d,.]*\s?(€|\$|£|usd|eur|gbp|dollars?|euros?|pounds?|cents?)|\bfree\b|\bno (charge|cost|fee)\b|\d+(\.\d+)?\s?%)", RegexOptions.IgnoreCase)]
    private static partial Regex Amount();

    [GeneratedRegex(@"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|none|no)\b", RegexOptions.IgnoreCase)]
    private static partial Regex AnyNumber();

    [GeneratedRegex(@"\b(as (I|we) (already|previously) (said|stated|explained|mentioned|told you)|as (already|previously) (stated|explained|mentioned)|per my (last|previous) (e-?mail|message)|you should have|you (failed|neglected) to|(it's|it is|that's|that is) your (fault|problem|responsibility)|you need to understand|calm down|obviously|clearly you|you didn't read|if you had read|not our (fault|problem)|there is nothing (we|I) can do|that's not my job|you must have|as stated in (our|the) (terms|policy))\b", RegexOptions.IgnoreCase)]
    private static partial Regex Blame();

    [GeneratedRegex(@"\b(yeah,? right|oh,? great|thanks a lot|good luck with that|sure, because|what a surprise|how nice of you|congratulations on|big surprise)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Sarcasm();

    [GeneratedRegex(@"\b[A-Z]{3,}\b")]
    private static partial Regex Shouting();

    [GeneratedRegex(@"[!?]*![!?]*!+[!?]*")]
    private static partial Regex Exclamations();

    [GeneratedRegex(@"^(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings|thanks for|thank you for)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Greeting();

    [GeneratedRegex(@"\b(regards|best|sincerely|thanks|thank you|cheers|kind wishes|all the best|take care|speak soon|talk soon|have a (nice|good|great))\b", RegexOptions.IgnoreCase)]
    private static partial Regex Closing();

    [GeneratedRegex(@"\b(i (completely |totally |fully )?understand|i can (see|imagine)|i see (why|how|that)|that must (be|have been)|i know how|you're right|you are right|i hear you|understandabl|frustrat|annoying|inconvenien|disappoint|not (good enough|acceptable|what you expected)|shouldn't have happened|should not have happened)", RegexOptions.IgnoreCase)]
    private static partial Regex Acknowledge();

    [GeneratedRegex(@"\b(sorry|apologi[sz]e|apologies|my apologies|our apologies|i regret|we regret)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Apology();

    [GeneratedRegex(@"\b(i'll|i will|i've|i have|we'll|we will|we've|we have|let me|i am going to|i'm going to|i'm (sending|refunding|fixing|arranging|booking)|i (just |have )?(refunded|sent|fixed|arranged|booked|cancelled|canceled|replaced|credited|escalated))\b", RegexOptions.IgnoreCase)]
    private static partial Regex Ownership();

    [GeneratedRegex(@"\b(by (today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|the end of|end of|\d)|within \d+|in \d+ (minutes?|hours?|days?)|tomorrow|today|this (afternoon|evening|week)|next (week|\w+day)|\d{1,2}[:.]\d{2}|\d{1,2}\s?(am|pm)|(monday|tuesday|wednesday|thursday|friday|saturday|sunday)|already (refunded|sent|fixed|credited|arranged)|have (refunded|sent|fixed|credited|arranged|booked|cancelled)|tracking number|reference)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NextStep();

    [GeneratedRegex(@"(doesn't make (any )?sense|does not make (any )?sense|you (told|said|promised)|what's up with|what is up with|what's going on|what is going on|what's wrong|what is wrong|what is the (issue|problem)|what is taking|taking (so|too|a very|very) long|(very|so|too) long time|forever|taking a while|been waiting|waiting for (over|more than|weeks|days|months|ages)|it's been (a|\d+|over|more|weeks|days|hours)|(still|yet to) (not )?(haven't|havn't|have not|hasn't|waiting|no)|has yet to|supposed to be|really need|urgent|immediately|right now|\bhelp!|tried (and tried|again|many times|multiple times|several times)|kept (saying|getting|failing|declining)|many times|is waiting|again and again|no one|nobody|ignored)", RegexOptions.IgnoreCase)]
    private static partial Regex Frustration();

    [GeneratedRegex(@"\b(unacceptable|disgusted|furious|outraged|ridiculous|worst|never again|complain|complaint|scam|rip-?off|fed up|sick of|angry|lawyer|chargeback|trading standards|terrible service|awful service)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ComplaintPhrase();
}
