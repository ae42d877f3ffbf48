namespace Rapport.Bench.Generate;

/// <summary>A database the generator bulk-loads into. Call order: VerifySchema, AgentIds, NextIds, Begin, the Add
/// methods, then Complete (or Abort), Analyze, Finish.</summary>
internal interface ILoader : IRowSink, IDisposable
{
    string Describe { get; }
    void VerifySchema();
    IReadOnlyList<int> AgentIds();
    /// <summary>The business's IANA time zone, if it was set up.</summary>
    string? BusinessTimeZone();
    StartIds NextIds();
    void Begin();
    void Complete(Action<string> log);
    void Abort();
    void Analyze();
    void Finish();
}
