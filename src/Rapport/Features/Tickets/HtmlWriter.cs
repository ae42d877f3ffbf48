using System.Text;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace Rapport.Features.Tickets;

/// <summary>Writes nodes as HTML exactly as AngleSharp's <c>ToHtml</c> does, in time in proportion to their number.
/// AngleSharp's own finds each leaf's next sibling by walking its parent's children from the first, which costs in
/// proportion to their number squared for an element with many children.</summary>
internal static class HtmlWriter
{
    public static string Write(INodeList nodes, IMarkupFormatter formatter, HtmlWork work)
    {
        var html = new StringBuilder();
        var pending = new Stack<(INode Node, bool Close)>();
        for (var i = nodes.Length - 1; i >= 0; i--)
        {
            pending.Push((nodes[i], false));
        }
        while (pending.TryPop(out var next))
        {
            work.Tick();
            var (node, close) = next;
            switch (node)
            {
                case IElement element when close:
                    html.Append(formatter.CloseTag(element, element.Flags.HasFlag(NodeFlags.SelfClosing)));
                    break;
                case IComment comment:
                    html.Append(formatter.Comment(comment));
                    break;
                case IProcessingInstruction processing:
                    html.Append(formatter.Processing(processing));
                    break;
                case ICharacterData text:
                    html.Append(text.Parent is { } parent && parent.Flags.HasFlag(NodeFlags.LiteralText) ? formatter.LiteralText(text) : formatter.Text(text));
                    break;
                case IDocumentType doctype:
                    html.Append(formatter.Doctype(doctype));
                    break;
                case IElement element:
                    var selfClosing = element.Flags.HasFlag(NodeFlags.SelfClosing);
                    html.Append(formatter.OpenTag(element, selfClosing));
                    if (!selfClosing && element.Flags.HasFlag(NodeFlags.LineTolerance) && element.FirstChild is IText first && first.Data.StartsWith('\n'))
                    {
                        html.Append('\n');
                    }
                    if (element is IHtmlTemplateElement template)
                    {
                        html.Append(template.Content.ToHtml(formatter));
                    }
                    if (!element.HasChildNodes)
                    {
                        html.Append(formatter.CloseTag(element, selfClosing));
                        break;
                    }
                    pending.Push((element, true));
                    var children = element.ChildNodes;
                    for (var i = children.Length - 1; i >= 0; i--)
                    {
                        pending.Push((children[i], false));
                    }
                    break;
            }
        }
        return html.ToString();
    }
}
