using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Rapport.Tests.Infrastructure;

/// <summary>The built app run as its own OS process (`dotnet Rapport.dll`, copied next to the tests by the project
/// reference), for what an in-process host cannot show: a SIGKILL and a restart. Settings go in as environment
/// variables, as an operator would set them; stdout and stderr are kept for failure messages.</summary>
public sealed partial class RapportProcess : IAsyncDisposable
{
    public static readonly string AppPath = Path.Combine(AppContext.BaseDirectory, "Rapport.dll");

    /// <summary>Inherited variables that would point the app elsewhere than the settings given.</summary>
    private static readonly string[] InheritedPrefixes = ["ASPNETCORE_", "DOTNET_ENVIRONMENT", "Urls", "ConnectionStrings__", "Database__", "Data__", "Mail__", "Logging__"];

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RapportProcess(Process process) => _process = process;

    /// <summary>Where the app listens, once <see cref="StartAsync"/> has returned.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved as read.</summary>
    public string Output => string.Join('\n', _lines);

    /// <summary>Log lines at Error or Critical and crash reports: what a test on the app's behaviour should never see.</summary>
    public IReadOnlyList<string> Problems => _lines.Where(l => ProblemLine().IsMatch(l)).ToList();

    /// <summary>Starts the web app on a free loopback port and waits until it listens.</summary>
    public static async Task<RapportProcess> StartAsync(IReadOnlyDictionary<string, string> settings, TimeSpan timeout, CancellationToken ct)
    {
        var app = new RapportProcess(Prepare(settings, ["--urls", "http://127.0.0.1:0"]));
        app._process.OutputDataReceived += (_, e) => app.Read(e.Data);
        app._process.ErrorDataReceived += (_, e) => app.Read(e.Data);
        app._process.Start();
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        try
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(timeout);
            var exited = app._process.WaitForExitAsync(wait.Token);
            var first = await Task.WhenAny(app._listening.Task, exited);
            if (first != app._listening.Task)
            {
                await first;
                throw new InvalidOperationException($"The app exited with code {app._process.ExitCode} before listening:\n{app.Output}");
            }
            app.BaseAddress = await app._listening.Task;
            return app;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await app.DisposeAsync();
            throw new TimeoutException($"The app did not listen within {timeout.TotalSeconds:0} s:\n{app.Output}");
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs an admin command (`setup …`, `token create …`) to its end and returns its exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunCommandAsync(IReadOnlyDictionary<string, string> settings,
        IEnumerable<string> arguments, TimeSpan timeout, CancellationToken ct)
    {
        using var process = Prepare(settings, arguments);
        process.Start();
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`Rapport {string.Join(' ', arguments)}` did not finish within {timeout.TotalSeconds:0} s.");
        }
        return (process.ExitCode, await output, await errors);
    }

    /// <summary>SIGKILL (Process.Kill on Linux and macOS): the app gets no chance to finish anything. Returns once it is gone.</summary>
    public async Task KillAsync(CancellationToken ct)
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        _process.Dispose();
    }

    private void Read(string? line)
    {
        if (line is null)
        {
            return;
        }
        _lines.Enqueue(line);
        if (!_listening.Task.IsCompleted && ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    private static Process Prepare(IReadOnlyDictionary<string, string> settings, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(AppPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in start.Environment.Keys.Where(k => InheritedPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        return new Process { StartInfo = start };
    }

    /// <summary>The `dotnet` that runs these tests: the SDK's host when it says so, else the one above the running runtime.</summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }
        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        // The runtime lives in <root>/shared/Microsoft.NETCore.App/<version>/.
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        return File.Exists(Path.Combine(root, name)) ? Path.Combine(root, name) : name;
    }

    [GeneratedRegex(@"Now listening on: (http://[^""\s]+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"""LogLevel"":""(Error|Critical)""|Unhandled exception|^\s+at ")]
    private static partial Regex ProblemLine();
}
