using System.Text;

namespace Rapport.Bench.Measure;

/// <summary>A client's messages of the <see cref="MailMix"/>, made before the clock starts and sent again and again:
/// each lap writes a new run token (same length) over every place the mix put one (Message-IDs, In-Reply-To,
/// References, the senders' addresses), so every message sent is new to the desk and replies still thread within
/// their lap. Making the mix costs the client more CPU than sending it; made in the loop it took CPU from the app
/// on the same two cores.</summary>
internal sealed class MailRing
{
    private const int TokenLength = 12;
    private readonly byte[][] _raws;
    private readonly bool[] _hostile;
    private readonly int[][] _offsets;
    private readonly string _prefix;
    private int _next;
    private int _lap = -1;

    public MailRing(string phase, int stream, string to, int size, int hostilePercent = 0)
    {
        // The phase's prefix is random, so phases, rounds and runs never reuse a token; the lap fills the rest.
        _prefix = (phase + Guid.NewGuid().ToString("N"))[..(TokenLength - 4)];
        var token = _prefix + "zzzz";
        var mix = new MailMix(token, stream, to, HashCode.Combine(phase, stream), hostilePercent);
        var pattern = Encoding.ASCII.GetBytes(token);
        _raws = new byte[size][];
        _hostile = new bool[size];
        _offsets = new int[size][];
        for (var i = 0; i < size; i++)
        {
            var (raw, kind) = mix.Next();
            _hostile[i] = kind == MailMix.Kind.Hostile;
            var offsets = new List<int>();
            for (var at = raw.AsSpan().IndexOf(pattern); at >= 0;)
            {
                offsets.Add(at);
                var next = raw.AsSpan(at + pattern.Length).IndexOf(pattern);
                at = next < 0 ? -1 : at + pattern.Length + next;
            }
            _raws[i] = raw;
            _offsets[i] = [.. offsets];
        }
        Bytes = _raws.Sum(r => (long)r.Length);
    }

    /// <summary>Bytes of all messages in the ring.</summary>
    public long Bytes { get; }

    /// <summary>The next message, its run token set to this lap's, and whether it is hostile HTML. The array is
    /// reused: send it before asking again.</summary>
    public (byte[] Raw, bool Hostile) Next()
    {
        if (_next == 0)
        {
            _lap++;
        }
        var raw = _raws[_next];
        var hostile = _hostile[_next];
        Span<byte> token = stackalloc byte[TokenLength];
        Encoding.ASCII.GetBytes(_prefix, token);
        Encoding.ASCII.GetBytes(_lap.ToString("x4", System.Globalization.CultureInfo.InvariantCulture), token[^4..]);
        foreach (var at in _offsets[_next])
        {
            token.CopyTo(raw.AsSpan(at));
        }
        _next = (_next + 1) % _raws.Length;
        return (raw, hostile);
    }
}
