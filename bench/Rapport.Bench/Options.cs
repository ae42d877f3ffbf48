using System.Globalization;

namespace Rapport.Bench;

/// <summary>`--name value` pairs and `--flag` switches, read by name; asking for an unknown or malformed one fails.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public Options(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    _values[pending] = null;
                }
                pending = arg[2..];
            }
            else if (pending is not null)
            {
                _values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new UsageException($"Unexpected argument '{arg}'.");
            }
        }
        if (pending is not null)
        {
            _values[pending] = null;
        }
    }

    public string Required(string name) => Optional(name) ?? throw new UsageException($"--{name} is required.");

    public string? Optional(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var value) ? value ?? throw new UsageException($"--{name} needs a value.") : null;
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        return _values.ContainsKey(name);
    }

    public long Long(string name, long fallback) =>
        Optional(name) is { } text
            ? long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new UsageException($"--{name} must be a whole number.")
            : fallback;

    public int Int(string name, int fallback) => checked((int)Long(name, fallback));

    public TimeSpan Seconds(string name, double fallback) =>
        TimeSpan.FromSeconds(Optional(name) is { } text
            ? double.TryParse(text.TrimEnd('s'), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
                ? value
                : throw new UsageException($"--{name} must be a number of seconds.")
            : fallback);

    /// <summary>Call after reading every option: a misspelt option is an error, not a silent default.</summary>
    public void EnsureAllRead()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"Unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }
    }
}

internal sealed class UsageException(string message) : Exception(message);
