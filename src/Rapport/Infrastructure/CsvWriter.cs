using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Rapport.Infrastructure;

/// <summary>Writes every CSV download of the app: RFC 4180 (comma separated, CRLF after each row, a field in double
/// quotes when it holds a comma, a double quote, a line break or a semicolon, its quotes doubled), sent as UTF-8.
/// <para>Every cell is guarded against formula injection (OWASP "CSV Injection", ASVS 1.2.10): a cell that starts with
/// <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab, a carriage return, a line feed or a NUL gets a leading apostrophe, so a
/// spreadsheet shows it as text instead of running it. The one exception is a cell that is a plain decimal number and
/// nothing else (<c>-12.50</c>): a spreadsheet reads that as a number, never as a formula, so the negative amounts the
/// app writes stay numbers. The rule looks at the text, not at who wrote it, so a caller cannot forget to guard a cell
/// that came from a person (see docs/decisions/0056-one-csv-writer-guards-every-cell.md).</para>
/// <para>Semicolons are quoted too: a spreadsheet set to a locale that separates with semicolons would otherwise split a
/// cell there and read what follows as a new cell, unguarded.</para></summary>
public sealed class CsvWriter
{
    public const string ContentType = "text/csv; charset=utf-8";

    private readonly StringBuilder _csv = new();

    /// <summary>Adds one row; a null cell is empty.</summary>
    public CsvWriter Row(params IEnumerable<string?> cells)
    {
        var first = true;
        foreach (var cell in cells)
        {
            if (!first)
            {
                _csv.Append(',');
            }
            first = false;
            AppendCell(cell ?? "");
        }
        _csv.Append("\r\n");
        return this;
    }

    public override string ToString() => _csv.ToString();

    /// <summary>The file as a download named <paramref name="fileName"/>.</summary>
    public FileContentHttpResult ToFile(string fileName) => TypedResults.File(Encoding.UTF8.GetBytes(_csv.ToString()), ContentType, fileName);

    private void AppendCell(string value)
    {
        var guard = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n' or '\0' && !IsPlainNumber(value);
        if (!guard && value.AsSpan().IndexOfAny(",;\"\r\n") < 0)
        {
            _csv.Append(value);
            return;
        }
        _csv.Append('"');
        if (guard)
        {
            _csv.Append('\'');
        }
        _csv.Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    /// <summary>An optional minus, digits, and optionally a point and more digits: what the app writes for amounts and
    /// counts (invariant culture), and nothing a spreadsheet could run.</summary>
    private static bool IsPlainNumber(string value)
    {
        var digits = value.AsSpan(value[0] == '-' ? 1 : 0);
        var point = digits.IndexOf('.');
        var whole = point < 0 ? digits : digits[..point];
        ReadOnlySpan<char> fraction = point < 0 ? "0" : digits[(point + 1)..];
        return whole.Length > 0 && fraction.Length > 0 && !whole.ContainsAnyExceptInRange('0', '9') && !fraction.ContainsAnyExceptInRange('0', '9');
    }
}
