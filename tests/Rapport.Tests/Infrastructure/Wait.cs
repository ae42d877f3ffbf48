using System.Diagnostics;

namespace Rapport.Tests.Infrastructure;

/// <summary>Waiting in tests for a condition instead of for a fixed time: checks it every few milliseconds, goes on as
/// soon as it holds, and fails naming what it waited for (and the last value read) when it still does not after the
/// time limit, 30 seconds unless given. A fixed pause is too short on a busy machine and wasted on a fast one.</summary>
public static class Wait
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Reads until <paramref name="done"/> holds for the value read; returns that value.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            if (waited.Elapsed > limit)
            {
                throw new ShouldAssertException($"Waited {waited.Elapsed.TotalSeconds:0.#} s for {what}; last read: {Show(value)}");
            }
            await Task.Delay(Interval, TestContext.Current.CancellationToken);
        }
    }

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(condition, held => held, what, timeout);

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), held => held, what, timeout);

    private static string Show(object? value) => value switch
    {
        null => "null",
        string text => text,
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>()) + "]",
        _ => value.ToString() ?? "",
    };

    /// <summary>Reads until there is a value (not null); returns it.</summary>
    public static async Task<T> ForAsync<T>(Func<T?> read, string what, TimeSpan? timeout = null) where T : class =>
        (await UntilAsync(() => Task.FromResult(read()), value => value is not null, what, timeout))!;
}
