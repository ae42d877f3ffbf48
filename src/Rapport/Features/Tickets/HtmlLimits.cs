namespace Rapport.Features.Tickets;

/// <summary>What sanitizing one message's HTML may cost (docs/decisions/0048-bounded-html-parsing.md). HTML beyond any
/// of these is not kept: the message keeps its text, read from the HTML without building a tree.</summary>
/// <param name="MaxLength">Characters of HTML sanitized at all; mail's HTML is rarely over 200,000.</param>
/// <param name="MaxDepth">Elements open inside each other, as the HTML tree builder counts them; mail clients' own
/// threads of quoted replies stay well below it.</param>
/// <param name="MaxElements">Elements the tree builder makes, including the copies it makes of formatting elements.</param>
/// <param name="MaxChildren">Nodes (elements, runs of text, comments) in one element: the DOM finds a node among its
/// siblings by walking them, so what is done per child (removing it, for one) costs in proportion to their number squared.</param>
/// <param name="MaxAttributes">Attributes kept on one element; the rest are dropped as they are read.</param>
/// <param name="Time">Time one message's HTML may take: checked as it is parsed and written out, and between the steps;
/// the other limits keep the work well below it, so this is a backstop.</param>
public sealed record HtmlLimits(int MaxLength, int MaxDepth, int MaxElements, int MaxChildren, int MaxAttributes, TimeSpan Time)
{
    public static HtmlLimits Default { get; } = new(
        MaxLength: 1_000_000, MaxDepth: 256, MaxElements: 100_000, MaxChildren: 10_000, MaxAttributes: 64, Time: TimeSpan.FromSeconds(2));
}
