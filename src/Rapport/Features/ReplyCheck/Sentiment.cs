using System.Globalization;
using System.Text.RegularExpressions;

namespace Rapport.Features.ReplyCheck;

/// <summary>Sentiment of a text from the VADER lexicon, with the VADER paper's rules (Hutto &amp; Gilbert 2014): boosters,
/// negation, capitals for emphasis, "but" shifting weight to what follows, exclamation marks; the sum normalized to a
/// compound score in [-1, 1]. Good enough to tell an angry customer from a calm one; no machine learning needed.</summary>
public sealed partial class Sentiment
{
    /// <summary>At or below this compound score a customer's message counts as a complaint.</summary>
    public const double ComplaintThreshold = -0.45;

    private const double Boost = 0.293;
    private const double CapsBoost = 0.733;
    private const double NegationFactor = -0.74;

    private readonly Dictionary<string, double> _lexicon;

    private Sentiment(Dictionary<string, double> lexicon) => _lexicon = lexicon;

    private static readonly Lazy<Sentiment> Instance = new(Load);

    public static Sentiment Shared => Instance.Value;

    private static Sentiment Load()
    {
        using var stream = typeof(Sentiment).Assembly.GetManifestResourceStream("ReplyCheck.vader_lexicon.tsv")
            ?? throw new InvalidOperationException("The VADER lexicon is missing from the build.");
        using var reader = new StreamReader(stream);
        var lexicon = new Dictionary<string, double>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab > 0 && double.TryParse(line.AsSpan(tab + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var valence))
            {
                lexicon[line[..tab]] = valence;
            }
        }
        // Support-desk words the general lexicon lacks or weighs for other settings.
        foreach (var (word, valence) in Extra)
        {
            lexicon[word] = valence;
        }
        return new Sentiment(lexicon);
    }

    private static readonly (string, double)[] Extra =
    [
        ("overcharged", -2.0), ("twice", -0.3), ("refund", -0.4), ("unacceptable", -2.6), ("ridiculous", -2.2),
        ("waiting", -0.5), ("still", -0.2), ("broken", -1.8), ("damaged", -1.9), ("scam", -2.8), ("ripped", -1.5),
        ("complaint", -1.6), ("disappointed", -2.1), ("useless", -2.2), ("never", -0.4), ("nobody", -0.8), ("ignored", -1.8),
        ("declined", -1.2), ("lost", -1.3), ("stolen", -2.2), ("fraud", -2.6), ("wrong", -1.6), ("late", -1.0),
    ];

    /// <summary>The compound score of a text, from -1 (most negative) to +1.</summary>
    public double Score(string text)
    {
        var sentences = Words.Sentences(text);
        if (sentences.Count == 0)
        {
            return 0;
        }
        double total = 0;
        foreach (var sentence in sentences)
        {
            total += SentenceScore(sentence);
        }
        return Normalize(total);
    }

    private double SentenceScore(string sentence)
    {
        var raw = WordPattern().Matches(sentence).Select(m => m.Value).ToList();
        if (raw.Count == 0)
        {
            return 0;
        }
        var mixedCase = raw.Any(w => w.Any(char.IsLower));
        var words = raw.Select(w => w.ToLowerInvariant()).ToList();
        var valences = new double[words.Count];
        for (var i = 0; i < words.Count; i++)
        {
            if (!_lexicon.TryGetValue(words[i], out var v) || Boosters.ContainsKey(words[i]))
            {
                continue;
            }
            if (mixedCase && raw[i].Length > 1 && raw[i].All(c => !char.IsLetter(c) || char.IsUpper(c)))
            {
                v += Math.Sign(v) * CapsBoost;
            }
            for (var back = 1; back <= 3 && i - back >= 0; back++)
            {
                if (Boosters.TryGetValue(words[i - back], out var boost))
                {
                    v += Math.Sign(v) * boost * (1 - 0.05 * (back - 1));
                }
            }
            for (var back = 1; back <= 3 && i - back >= 0; back++)
            {
                if (Negations.Contains(words[i - back]) || words[i - back].EndsWith("n't", StringComparison.Ordinal))
                {
                    v *= NegationFactor;
                    break;
                }
            }
            valences[i] = v;
        }
        var but = words.IndexOf("but");
        if (but >= 0)
        {
            for (var i = 0; i < valences.Length; i++)
            {
                valences[i] *= i < but ? 0.5 : 1.5;
            }
        }
        var sum = valences.Sum();
        var exclamations = Math.Min(4, sentence.Count(c => c == '!'));
        if (sum != 0)
        {
            sum += Math.Sign(sum) * exclamations * 0.292;
        }
        return sum;
    }

    private static double Normalize(double score) => score / Math.Sqrt(score * score + 15);

    private static readonly Dictionary<string, double> Boosters = new(StringComparer.Ordinal)
    {
        ["absolutely"] = Boost, ["completely"] = Boost, ["extremely"] = Boost, ["really"] = Boost, ["so"] = Boost,
        ["totally"] = Boost, ["very"] = Boost, ["utterly"] = Boost, ["incredibly"] = Boost, ["most"] = Boost,
        ["entirely"] = Boost, ["highly"] = Boost, ["particularly"] = Boost, ["super"] = Boost, ["such"] = Boost,
        ["barely"] = -Boost, ["hardly"] = -Boost, ["kind of"] = -Boost, ["slightly"] = -Boost, ["somewhat"] = -Boost,
        ["little"] = -Boost, ["marginally"] = -Boost,
    };

    private static readonly HashSet<string> Negations = new(StringComparer.Ordinal)
    {
        "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot", "cant", "dont", "didnt",
        "doesnt", "isnt", "wasnt", "wont", "aint", "hardly", "rarely",
    };

    [GeneratedRegex(@"[\p{L}]+(?:'[\p{L}]+)?|[:;=][\-']?[()DPp\]\[/\\|]")]
    private static partial Regex WordPattern();
}
