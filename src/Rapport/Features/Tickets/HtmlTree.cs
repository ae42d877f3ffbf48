using AngleSharp.Html.Parser;
using AngleSharp.Html.Parser.Tokens;
using static Rapport.Features.Tickets.HtmlElements;

namespace Rapport.Features.Tickets;

/// <summary>A model of what the HTML tree builder holds while it parses, kept from the tokens it consumes: its stack
/// of open elements and its list of active formatting elements (which it re-opens, as copies, after they were closed
/// implicitly). It stops the parse (<see cref="HtmlTooComplexException"/>) when the stack gets deeper than
/// <see cref="HtmlLimits.MaxDepth"/>, more elements are made than <see cref="HtmlLimits.MaxElements"/> (the copies
/// included) or one element gets more than <see cref="HtmlLimits.MaxChildren"/> nodes.
/// Nothing in the standard bounds that stack, and many of the tree builder's steps walk it (AngleSharp's
/// <c>MaximumDepth</c> bounds the tree it builds, not the stack): 20,000 nested elements cost seconds and a megabyte of
/// them minutes. The model follows the standard where it closes elements (end tags within their scope, a new
/// &lt;p&gt;, &lt;li&gt; or cell closing the open one, the adoption agency algorithm's outcome, re-opened formatting
/// elements) and otherwise errs towards deeper, so the tree builder's stack is never much deeper than the model's
/// (docs/decisions/0048-bounded-html-parsing.md).</summary>
internal sealed class HtmlTree(HtmlLimits limits)
{
    /// <summary>What the adoption agency algorithm makes at most for one end tag (it runs its outer loop up to 8
    /// times, each with one copy of the formatting element and a few of those inside it): counted as made.</summary>
    private const int AdoptionElements = 8;

    private readonly List<Open> _open = [];
    /// <summary>The list of active formatting elements; null is a marker.</summary>
    private readonly List<Active?> _active = [];
    private int _foreign;
    private int _elements;
    /// <summary>Nodes put in the body itself (the model does not keep &lt;html&gt; and &lt;body&gt; on its stack).</summary>
    private int _bodyChildren;
    /// <summary>Whether the last token was text: the next text joins its node rather than making one.</summary>
    private bool _inText;

    private sealed class Open(string name, bool foreignRoot)
    {
        public string Name { get; } = name;
        public bool ForeignRoot { get; } = foreignRoot;
        public Active? Formatting { get; set; }
        public int Children { get; set; }
    }

    private sealed class Active(string name, string signature)
    {
        public string Name { get; } = name;
        public string Signature { get; } = signature;
        /// <summary>Its element while open; null once closed implicitly (the tree builder re-opens a copy).</summary>
        public Open? On { get; set; }
    }

    /// <summary>The deepest the modelled stack of open elements got (one past the limit when it stopped the parse).</summary>
    public int Deepest { get; private set; }

    /// <summary>Elements counted as made so far, copies included.</summary>
    public int Elements => _elements;

    /// <summary>Takes the next token, before the tree builder does.</summary>
    public void Take(HtmlToken token)
    {
        var text = token.Type == HtmlTokenType.Character;
        switch (token.Type)
        {
            case HtmlTokenType.StartTag:
                StartTag((HtmlTagToken)token);
                break;
            case HtmlTokenType.EndTag:
                EndTag(token.Name);
                break;
            case HtmlTokenType.Character:
                if (_foreign == 0)
                {
                    Reopen();
                }
                if (!_inText)
                {
                    AddChild();
                }
                break;
            case HtmlTokenType.Comment:
                AddChild();
                break;
        }
        _inText = text;
    }

    private void StartTag(HtmlTagToken tag)
    {
        var name = tag.Name;
        if (name is "html" or "head" or "body")
        {
            return;
        }
        if (_foreign > 0)
        {
            if (!Breakout.Contains(name) || name == "font" && !tag.Attributes.Any(a => a.Name is "color" or "face" or "size"))
            {
                AddChild();
                Made(1);
                if (!tag.IsSelfClosing)
                {
                    Push(name);
                }
                return;
            }
            PopThrough(_open.FindLastIndex(o => o.ForeignRoot));
        }
        CloseImplied(name);
        if (!NoReopening.Contains(name))
        {
            Reopen();
        }
        AddChild();
        Made(1);
        if (VoidElements.Contains(name) || (tag.IsSelfClosing && name is "svg" or "math"))
        {
            return;
        }
        var open = Push(name);
        if (Markers.Contains(name))
        {
            _active.Add(null);
        }
        else if (Formatting.Contains(name))
        {
            AddFormatting(open, tag);
        }
    }

    /// <summary>What the tree builder closes before it inserts the element <paramref name="name"/>.</summary>
    private void CloseImplied(string name)
    {
        if (ClosesParagraph.Contains(name) && Find("p", DefaultScope, "button") is var p and >= 0)
        {
            PopThrough(p);
        }
        switch (name)
        {
            case "li":
                CloseItem(static n => n == "li");
                break;
            case "dd" or "dt":
                CloseItem(static n => n is "dd" or "dt");
                break;
            case "h1" or "h2" or "h3" or "h4" or "h5" or "h6" when _open.Count > 0 && Headings.Contains(_open[^1].Name):
                PopThrough(_open.Count - 1);
                break;
            case "option" or "optgroup" when _open.Count > 0 && _open[^1].Name == "option":
                PopThrough(_open.Count - 1);
                break;
            case "button" when Find("button", DefaultScope) is var button and >= 0:
                PopThrough(button);
                break;
            case "a" or "nobr":
                CloseFormatting(name, startTag: true);
                break;
            case "td" or "th":
                CloseTablePart(static n => n is "td" or "th", static n => n is "tr" or "tbody" or "thead" or "tfoot" or "table");
                break;
            case "tr":
                CloseTablePart(static n => n is "td" or "th" or "tr", static n => n is "tbody" or "thead" or "tfoot" or "table");
                break;
            case "tbody" or "thead" or "tfoot" or "caption" or "colgroup":
                CloseTablePart(static n => n is "td" or "th" or "tr" or "tbody" or "thead" or "tfoot" or "caption" or "colgroup",
                    static n => n == "table");
                break;
        }
    }

    /// <summary>A new &lt;li&gt;, &lt;dd&gt; or &lt;dt&gt; closes the open one unless a special element other than
    /// address, div or p comes first.</summary>
    private void CloseItem(Func<string, bool> item)
    {
        for (var i = _open.Count - 1; i >= 0; i--)
        {
            var name = _open[i].Name;
            if (item(name))
            {
                PopThrough(i);
                return;
            }
            if (Special.Contains(name) && name is not ("address" or "div" or "p"))
            {
                return;
            }
        }
    }

    /// <summary>A new cell, row or row group closes the open one (and what is open inside it) up to its table.</summary>
    private void CloseTablePart(Func<string, bool> closes, Func<string, bool> stopsAt)
    {
        var last = -1;
        for (var i = _open.Count - 1; i >= 0; i--)
        {
            var name = _open[i].Name;
            if (closes(name))
            {
                last = i;
            }
            else if (stopsAt(name) || TableScope.Contains(name))
            {
                break;
            }
        }
        if (last >= 0)
        {
            PopThrough(last);
        }
    }

    private void EndTag(string name)
    {
        if (_foreign > 0 && _open.FindLastIndex(o => o.Name == name) is var same and >= 0 && same >= _open.FindLastIndex(o => o.ForeignRoot))
        {
            PopThrough(same);
            return;
        }
        switch (name)
        {
            case "html" or "body" or "head":
                return;
            case "br":
                Reopen();
                AddChild();
                Made(1);
                return;
            case "p":
                if (Find("p", DefaultScope, "button") is var p and >= 0)
                {
                    PopThrough(p);
                }
                else
                {
                    AddChild();
                    Made(1);
                }
                return;
            case "li":
                PopIfFound(Find("li", DefaultScope, "ol", "ul"));
                return;
            case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                PopIfFound(FindAny(Headings, DefaultScope));
                return;
        }
        if (Formatting.Contains(name))
        {
            CloseFormatting(name, startTag: false);
        }
        else if (Table.Contains(name))
        {
            PopIfFound(Find(name, TableScope));
        }
        else if (Special.Contains(name))
        {
            PopIfFound(Find(name, DefaultScope));
        }
        else
        {
            AnyOtherEndTag(name);
        }
    }

    /// <summary>An end tag of an ordinary element closes the nearest open one of that name, unless a special element
    /// comes first.</summary>
    private void AnyOtherEndTag(string name)
    {
        for (var i = _open.Count - 1; i >= 0; i--)
        {
            if (_open[i].Name == name)
            {
                PopThrough(i);
                return;
            }
            if (Special.Contains(_open[i].Name))
            {
                return;
            }
        }
    }

    /// <summary>The end tag of a formatting element, or a new &lt;a&gt; or &lt;nobr&gt; while one is active: the
    /// adoption agency algorithm. Where no special element is open inside the formatting element, that closes it; where
    /// one is, the tree builder makes copies and moves nodes but the stack keeps about its depth, and so does the model.</summary>
    private void CloseFormatting(string name, bool startTag)
    {
        var index = -1;
        for (var i = _active.Count - 1; i >= 0 && _active[i] is { } entry; i--)
        {
            if (entry.Name == name)
            {
                index = i;
                break;
            }
        }
        if (index < 0)
        {
            if (!startTag)
            {
                AnyOtherEndTag(name);
            }
            return;
        }
        var active = _active[index]!;
        if (active.On is not { } open)
        {
            _active.RemoveAt(index);
            return;
        }
        var at = _open.LastIndexOf(open);
        if (Find(name, DefaultScope) != at)
        {
            if (startTag)
            {
                _active.RemoveAt(index);
                open.Formatting = null;
            }
            return;
        }
        var furthestBlock = false;
        for (var i = at + 1; i < _open.Count && !furthestBlock; i++)
        {
            furthestBlock = Special.Contains(_open[i].Name);
        }
        if (!furthestBlock)
        {
            PopThrough(at);
            _active.Remove(active);
            return;
        }
        Made(AdoptionElements);
        if (startTag)
        {
            _active.Remove(active);
            open.Formatting = null;
        }
    }

    /// <summary>Adds a formatting element to the list; as in the standard, a fourth one with the same name and
    /// attributes since the last marker pushes the earliest of them out.</summary>
    private void AddFormatting(Open open, HtmlTagToken tag)
    {
        var signature = tag.Attributes.Count == 0 ? tag.Name : tag.Name + "\0" + string.Join('\0', tag.Attributes.Select(a => a.Name + "=" + a.Value));
        var same = 0;
        var earliest = -1;
        for (var i = _active.Count - 1; i >= 0 && _active[i] is { } entry; i--)
        {
            if (entry.Signature == signature)
            {
                same++;
                earliest = i;
            }
        }
        if (same >= 3)
        {
            if (_active[earliest]!.On is { } pushedOut)
            {
                pushedOut.Formatting = null;
            }
            _active.RemoveAt(earliest);
        }
        var active = new Active(tag.Name, signature) { On = open };
        open.Formatting = active;
        _active.Add(active);
    }

    /// <summary>Re-opens, as the tree builder does before text and most elements, the formatting elements that were
    /// closed implicitly since the last marker: each is a new element on the stack.</summary>
    private void Reopen()
    {
        if (_active.Count == 0 || _active[^1] is null || _active[^1]!.On is not null)
        {
            return;
        }
        var first = _active.Count - 1;
        while (first > 0 && _active[first - 1] is { On: null })
        {
            first--;
        }
        Made(_active.Count - first);
        for (var i = first; i < _active.Count; i++)
        {
            var active = _active[i]!;
            AddChild();
            var open = Push(active.Name);
            open.Formatting = active;
            active.On = open;
        }
    }

    private Open Push(string name)
    {
        var foreignRoot = name is "svg" or "math";
        var open = new Open(name, foreignRoot);
        _open.Add(open);
        Deepest = Math.Max(Deepest, _open.Count);
        if (foreignRoot)
        {
            _foreign++;
        }
        if (_open.Count > limits.MaxDepth)
        {
            throw new HtmlTooComplexException($"it nests elements deeper than {limits.MaxDepth}");
        }
        return open;
    }

    /// <summary>Counts a node put in the current element. The DOM finds a node's place among its siblings by walking
    /// them (to remove it, to serialize the next one), so an element with very many children costs in proportion to
    /// their number squared.</summary>
    private void AddChild()
    {
        var children = _open.Count == 0 ? ++_bodyChildren : ++_open[^1].Children;
        if (children > limits.MaxChildren)
        {
            throw new HtmlTooComplexException($"it puts more than {limits.MaxChildren:N0} nodes in one element");
        }
    }

    private void Made(int elements)
    {
        _elements += elements;
        if (_elements > limits.MaxElements)
        {
            throw new HtmlTooComplexException($"it makes more than {limits.MaxElements:N0} elements");
        }
    }

    private void PopIfFound(int index)
    {
        if (index >= 0)
        {
            PopThrough(index);
        }
    }

    /// <summary>Closes the open element at <paramref name="index"/> and everything open inside it.</summary>
    private void PopThrough(int index)
    {
        if (index < 0)
        {
            return;
        }
        for (var i = _open.Count - 1; i >= index; i--)
        {
            var open = _open[i];
            if (open.Formatting is { } active)
            {
                active.On = null;
            }
            if (open.ForeignRoot)
            {
                _foreign--;
            }
            if (Markers.Contains(open.Name))
            {
                ClearToMarker();
            }
        }
        _open.RemoveRange(index, _open.Count - index);
    }

    private void ClearToMarker()
    {
        for (var i = _active.Count - 1; i >= 0; i--)
        {
            var entry = _active[i];
            _active.RemoveAt(i);
            if (entry is null)
            {
                return;
            }
            if (entry.On is { } open)
            {
                open.Formatting = null;
            }
        }
    }

    /// <summary>The index of the nearest open <paramref name="name"/> in the scope the boundaries define, or -1.</summary>
    private int Find(string name, HashSet<string> scope, params ReadOnlySpan<string> alsoBoundaries)
    {
        for (var i = _open.Count - 1; i >= 0; i--)
        {
            var open = _open[i].Name;
            if (open == name)
            {
                return i;
            }
            if (scope.Contains(open) || alsoBoundaries.Contains(open))
            {
                return -1;
            }
        }
        return -1;
    }

    private int FindAny(string[] names, HashSet<string> scope)
    {
        for (var i = _open.Count - 1; i >= 0; i--)
        {
            var open = _open[i].Name;
            if (names.Contains(open))
            {
                return i;
            }
            if (scope.Contains(open))
            {
                return -1;
            }
        }
        return -1;
    }
}
