using System.Text.RegularExpressions;
using Rapport.Features.Mail;

namespace Rapport.Features.ReplyCheck;

/// <summary>The small language toolkit of the reply check: the customer's own words (without quoted history or
/// signature), sentences, tokens, light stemming and a help-desk synonym table.</summary>
public static partial class Words
{
    /// <summary>The customer's own text, as the mail reader models it (<see cref="MailText"/>): what they wrote this time
    /// and the messages they forwarded, without quoted history or signature.</summary>
    public static string OwnText(string text) => MailText.Read(text).Content;

    /// <summary>Sentences: split at . ! ? followed by a space, and at line breaks (customers write in lines).</summary>
    public static IReadOnlyList<string> Sentences(string text)
    {
        var result = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            foreach (var part in SentenceBreak().Split(line))
            {
                var sentence = part.Trim();
                if (sentence.Length > 0)
                {
                    result.Add(sentence);
                }
            }
        }
        return result;
    }

    public static IReadOnlyList<string> Tokens(string text) =>
        TokenPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value.Replace("’", "'", StringComparison.Ordinal)).ToList();

    /// <summary>Content words of a text, stemmed and mapped to a synonym group's first member.</summary>
    public static HashSet<string> Concepts(string text)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        var tokens = Tokens(text);
        for (var i = 0; i < tokens.Count; i++)
        {
            // Two-word terms first ("top up", "log in", "money back").
            if (i + 1 < tokens.Count && Synonyms.TryGetValue(tokens[i] + " " + tokens[i + 1], out var pair))
            {
                result.Add(pair);
                i++;
                continue;
            }
            var token = tokens[i];
            if (token.Length < 2 || Stopwords.Contains(token) || token.All(char.IsDigit))
            {
                continue;
            }
            var stem = Stem(token);
            result.Add(Synonyms.TryGetValue(stem, out var canonical) ? canonical : Synonyms.TryGetValue(token, out canonical) ? canonical : stem);
        }
        return result;
    }

    /// <summary>A light English stemmer: plurals, -ed, -ing, -ly and a few irregular verbs common in support mail.</summary>
    public static string Stem(string word)
    {
        if (Irregular.TryGetValue(word, out var irregular))
        {
            return irregular;
        }
        if (word.Length <= 3)
        {
            return word;
        }
        if (word.EndsWith("'s", StringComparison.Ordinal))
        {
            word = word[..^2];
        }
        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length > 4)
        {
            return word[..^3] + "y";
        }
        if (word.EndsWith("sses", StringComparison.Ordinal))
        {
            return word[..^2];
        }
        if (word.EndsWith("ing", StringComparison.Ordinal) && word.Length > 5)
        {
            return Undouble(word[..^3]);
        }
        if (word.EndsWith("ed", StringComparison.Ordinal) && word.Length > 4)
        {
            return Undouble(word.EndsWith("ied", StringComparison.Ordinal) ? word[..^3] + "y" : word[..^2]);
        }
        if (word.EndsWith("ly", StringComparison.Ordinal) && word.Length > 5)
        {
            return word[..^2];
        }
        if (word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) && !word.EndsWith("us", StringComparison.Ordinal))
        {
            return word[..^1];
        }
        if (word.EndsWith('e') && word.Length > 4)
        {
            return word[..^1];
        }
        return word;
    }

    private static string Undouble(string stem) =>
        stem.Length > 3 && stem[^1] == stem[^2] && stem[^1] is not ('l' or 's' or 'z') ? stem[..^1]
        : stem.EndsWith('e') ? stem[..^1] : stem;

    /// <summary>Concepts nearly every message of a help desk shares; they count only when nothing more specific was asked.</summary>
    public static readonly HashSet<string> Weak = new(StringComparer.Ordinal)
    {
        "card", "account", "money", "bank", "app", "customer", "service", "company", "day", "week", "time", "hour",
        "order", "want", "need",
    };

    public static readonly HashSet<string> Stopwords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "or", "but", "if", "then", "so", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as",
        "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "done", "doing", "have", "has", "had",
        "i", "me", "my", "mine", "we", "us", "our", "you", "your", "yours", "he", "she", "it", "its", "they", "them", "their",
        "this", "that", "these", "those", "there", "here", "what", "when", "where", "why", "how", "who", "whom", "which",
        "can", "could", "would", "will", "shall", "should", "may", "might", "must", "i'm", "i've", "i'd", "i'll", "it's", "don't",
        "can't", "won't", "didn't", "doesn't", "isn't", "aren't", "wasn't", "haven't", "hasn't", "not", "no", "yes", "please",
        "thanks", "thank", "hi", "hello", "dear", "hey", "regards", "just", "also", "still", "very", "really", "any", "some",
        "all", "about", "into", "out", "up", "again", "get", "got", "know", "let", "need", "want", "like", "tell", "help",
        "able", "way", "one", "much", "many", "more", "now", "today", "there's", "that's", "what's", "you're", "we're", "im",
        "ok", "okay", "sure", "well", "too", "than", "only", "other", "own", "same", "such", "both", "each", "few", "most",
        "wondering", "wonder", "question", "questions", "thing", "things", "something", "anything", "else", "someone",
        "make", "made", "go", "going", "see", "look", "use", "used", "using", "try", "trying", "tried", "think", "wanted",
    };

    private static readonly Dictionary<string, string> Irregular = new(StringComparer.Ordinal)
    {
        ["sent"] = "send", ["paid"] = "pay", ["bought"] = "buy", ["came"] = "come", ["got"] = "get", ["gave"] = "give",
        ["given"] = "give", ["took"] = "take", ["taken"] = "take", ["went"] = "go", ["gone"] = "go", ["broke"] = "break",
        ["brought"] = "bring", ["told"] = "tell", ["said"] = "say", ["made"] = "make", ["left"] = "leave", ["lost"] = "lose",
        ["charged"] = "charge", ["shipped"] = "ship", ["children"] = "child", ["people"] = "person",
    };

    /// <summary>Help-desk synonym groups; every member maps to the group's first word (after stemming).</summary>
    private static readonly string[][] Groups =
    [
        ["order", "purchase", "parcel", "package", "shipment", "item", "goods", "delivery", "buy"],
        ["arrive", "deliver", "ship", "dispatch", "post", "receive", "come", "reach", "track", "tracking"],
        ["refund", "reimburse", "reimbursement", "money back", "repay", "credit back"],
        ["charge", "bill", "fee", "cost", "price", "pay", "payment", "paid", "amount", "debit", "deduct", "quote"],
        ["invoice", "receipt", "statement"],
        ["cancel", "cancellation", "terminate", "stop", "close", "discontinue", "delete", "remove", "shut"],
        ["login", "log in", "sign in", "signin", "password", "log", "locked", "access"],
        ["account", "profile"],
        ["card", "visa", "mastercard"],
        ["transfer", "transaction", "wire"],
        ["change", "update", "modify", "edit", "amend"],
        ["broken", "damage", "damaged", "faulty", "defective", "crack", "cracked", "break"],
        ["replace", "replacement", "exchange", "swap", "new one"],
        ["hour", "open", "opening", "closing", "time", "schedule"],
        ["phone", "call", "ring", "number"],
        ["email", "mail", "e-mail", "message"],
        ["appointment", "book", "booking", "slot", "visit", "reservation"],
        ["fix", "repair", "resolve", "sort"],
        ["late", "delay", "delayed", "wait", "slow", "yet"],
        ["top up", "topup", "top-up", "add money", "load", "top-off", "top-offs", "add funds", "fund", "funds"],
        ["atm", "cash", "withdraw", "withdrawal"],
        ["verify", "verification", "identity", "id", "prove", "document", "documents", "passport", "licence", "license"],
        ["address", "street", "postcode", "zip"],
        ["discount", "coupon", "voucher", "promo", "code"],
        ["warranty", "guarantee"],
        ["return", "send back"],
        ["subscription", "plan", "membership", "renewal", "renew"],
        ["exchange rate", "rate", "conversion", "convert", "currency", "currencies", "foreign"],
        ["pin", "pins"],
        ["passcode", "passcodes"],
        ["activate", "activation", "enable"],
        ["lost", "lose", "missing", "misplace", "misplaced"],
        ["fraud", "compromise", "compromised", "stolen", "steal", "hack", "hacked", "someone else"],
        ["limit", "limits", "maximum", "max", "cap"],
        ["app", "application", "website", "site", "online"],
    ];

    private static readonly Dictionary<string, string> Synonyms = BuildSynonyms();

    private static Dictionary<string, string> BuildSynonyms()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in Groups)
        {
            var canonical = Stem(group[0]);
            foreach (var member in group)
            {
                map.TryAdd(member, canonical);
                map.TryAdd(Stem(member), canonical);
            }
        }
        return map;
    }



    [GeneratedRegex(@"(?<=[.!?])\s+(?=\S)")]
    private static partial Regex SentenceBreak();

    [GeneratedRegex(@"[\p{L}\p{N}]+(?:['’\-][\p{L}\p{N}]+)*")]
    private static partial Regex TokenPattern();
}
