using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Rapport.Tests.Infrastructure;

/// <summary>The database commands the app sends while it serves one request, for tests that compare the work two
/// requests do instead of timing them. A request is picked out by the trace it names (<see cref="NewTrace"/>, sent as
/// its <c>traceparent</c> header): ASP.NET Core starts the request's activity in that trace, and EF Core's diagnostic
/// events fire in the flow that sends the command, so work done elsewhere (a background queue, another test's app in
/// this process) is not counted. Call <see cref="ReadyAsync"/> before the requests to count.</summary>
public sealed class RequestCommands : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly ConcurrentDictionary<ActivityTraceId, ConcurrentQueue<string>> _byTrace = new();
    private readonly List<IDisposable> _subscriptions = [];
    private readonly ActivityListener _requests;
    private readonly long _subscribedAt;

    public RequestCommands()
    {
        // Makes sure the host starts an activity for every request, whatever the logging level.
        _requests = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(_requests);
        lock (_subscriptions)
        {
            _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
        }
        _subscribedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>Completes once EF Core sends its command events here: each context remembers for a while
    /// (<see cref="CoreOptionsExtension.LoggingCacheTime"/>, a second) that nobody listened, and commands it sends
    /// sooner after the subscription go unseen (which once made a test count none).</summary>
    public Task ReadyAsync()
    {
        var cached = new CoreOptionsExtension().LoggingCacheTime;
        return Wait.UntilAsync(() => Stopwatch.GetElapsedTime(_subscribedAt) > cached, "EF Core's cached answer to whether anyone listens to expire");
    }

    /// <summary>A new trace and the <c>traceparent</c> header value that puts a request in it.</summary>
    public (ActivityTraceId Trace, string TraceParent) NewTrace()
    {
        var trace = ActivityTraceId.CreateRandom();
        _byTrace[trace] = new ConcurrentQueue<string>();
        return (trace, $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
    }

    /// <summary>The text of each command sent in <paramref name="trace"/>, in order.</summary>
    public IReadOnlyList<string> Of(ActivityTraceId trace) => [.. _byTrace[trace]];

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(listener.Subscribe(this, name => name == RelationalEventId.CommandExecuting.Name));
            }
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Value is CommandEventData data && Activity.Current is { } activity && _byTrace.TryGetValue(activity.TraceId, out var commands))
        {
            commands.Enqueue(data.Command.CommandText);
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted()
    {
    }

    void IObserver<DiagnosticListener>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }

    public void Dispose()
    {
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
            _subscriptions.Clear();
        }
        _requests.Dispose();
    }
}
