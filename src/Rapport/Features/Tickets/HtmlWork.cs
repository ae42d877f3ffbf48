using AngleSharp.Html.Parser;
using AngleSharp.Html.Parser.Tokens;
using AngleSharp.Html.Parser.Tokens.Struct;
using AngleSharp.Text;

namespace Rapport.Features.Tickets;

/// <summary>Why a piece of HTML was not sanitized: it is too long, nested too deeply, makes too many elements or takes
/// too long. The message keeps its text (<see cref="MessageContent"/>).</summary>
internal sealed class HtmlTooComplexException(string reason) : Exception(reason);

/// <summary>Watches the work on one piece of untrusted HTML and stops it (<see cref="HtmlTooComplexException"/>) before
/// it costs more than <see cref="HtmlLimits"/> allow, or (<see cref="OperationCanceledException"/>) when the caller
/// cancels: each token the parser reads goes through <see cref="HtmlTree"/> before the tree builder takes it; an
/// element keeps at most <see cref="HtmlLimits.MaxAttributes"/> attributes; time and cancellation are checked every
/// few hundred steps (tokens, attributes, nodes written) and between the steps after parsing.</summary>
internal sealed class HtmlWork(HtmlLimits limits, TimeProvider time, CancellationToken ct)
{
    private const int StepsPerCheck = 256;

    private readonly long _started = time.GetTimestamp();
    private readonly HtmlTree _tree = new(limits);
    private int _steps;

    /// <summary>Steps counted so far: tokens, attributes and nodes written, each a bounded amount of work apart from
    /// the tree builder's walks of its stack, which <see cref="Deepest"/> bounds.</summary>
    public int Steps => _steps;

    /// <inheritdoc cref="HtmlTree.Deepest"/>
    public int Deepest => _tree.Deepest;

    /// <inheritdoc cref="HtmlTree.Elements"/>
    public int Elements => _tree.Elements;

    /// <summary>Stops the work if the caller cancelled or the time is up.</summary>
    public void Check()
    {
        ct.ThrowIfCancellationRequested();
        if (time.GetElapsedTime(_started) > limits.Time)
        {
            throw new HtmlTooComplexException($"it took longer than {limits.Time.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Counts a step of work; now and then checks time and cancellation.</summary>
    public void Tick()
    {
        if (++_steps % StepsPerCheck == 0)
        {
            Check();
        }
    }

    /// <summary>For <see cref="HtmlParserOptions.ShouldEmitAttribute"/>: an element keeps at most
    /// <see cref="HtmlLimits.MaxAttributes"/> attributes; the rest are dropped as they are read, so a tag with a
    /// million of them costs no more than reading it.</summary>
    public bool ShouldEmitAttribute(ref StructHtmlToken token, ReadOnlyMemory<char> name)
    {
        Tick();
        return token.Attributes.Count < limits.MaxAttributes;
    }

    /// <summary>For <see cref="HtmlParserOptions.OnToken"/>: runs before the tree builder takes the token.</summary>
    public void OnToken(HtmlToken token, TextRange range)
    {
        Tick();
        _tree.Take(token);
    }
}
