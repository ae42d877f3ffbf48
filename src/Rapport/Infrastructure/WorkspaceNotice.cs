namespace Rapport.Infrastructure;

/// <summary>The one message line of a workspace page, shared by the page and the cards it is built from. Whichever card
/// acted says how it went in the same place, so the page shows one alert at a time (a newer message replaces the older)
/// and a screen reader hears it once. <see cref="NoticeBanner"/> shows it.</summary>
public sealed class WorkspaceNotice
{
    public string? Text { get; private set; }

    public bool IsError { get; private set; }

    /// <summary>Raised after every change, on the circuit's dispatcher (cards show messages from their event handlers).</summary>
    public event Action? Changed;

    public void Show(string text, bool error)
    {
        Text = text;
        IsError = error;
        Changed?.Invoke();
    }

    /// <summary>Shows <paramref name="done"/>, or the validation errors a use case returned instead.</summary>
    public void ShowOutcome(IReadOnlyDictionary<string, string[]>? errors, string done)
    {
        if (errors is null)
        {
            Show(done, error: false);
        }
        else
        {
            Show(string.Join(" ", errors.Values.SelectMany(v => v)), error: true);
        }
    }

    public void Clear()
    {
        Text = null;
        IsError = false;
        Changed?.Invoke();
    }

    /// <summary>An entity's refusal of a value, for people: the message without .NET's " (Parameter 'x')" suffix.</summary>
    public static string Reason(ArgumentException e) => e.Message.Split(" (Parameter", 2)[0];
}
