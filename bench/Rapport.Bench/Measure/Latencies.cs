using System.Globalization;

namespace Rapport.Bench.Measure;

/// <summary>Request latencies in milliseconds, summarised by nearest-rank percentiles.</summary>
internal sealed class Latencies
{
    private readonly List<double> _values = [];

    public int Count => _values.Count;

    public void Add(TimeSpan elapsed) => _values.Add(elapsed.TotalMilliseconds);

    public void AddRange(Latencies other) => _values.AddRange(other._values);

    public double Percentile(double p)
    {
        if (_values.Count == 0)
        {
            return double.NaN;
        }
        _values.Sort();
        var rank = (int)Math.Ceiling(p / 100.0 * _values.Count);
        return _values[Math.Clamp(rank - 1, 0, _values.Count - 1)];
    }

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"p50_ms={Percentile(50):F2} p90_ms={Percentile(90):F2} p99_ms={Percentile(99):F2} max_ms={Percentile(100):F2} mean_ms={(_values.Count == 0 ? double.NaN : _values.Average()):F2}");
}
