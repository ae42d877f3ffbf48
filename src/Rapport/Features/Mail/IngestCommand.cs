using System.CommandLine;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Rapport.Features.Mail;

/// <summary>`Rapport ingest --mailbox NAME` reads one raw message from standard input, for mail-server pipes
/// (Postfix `pipe`, procmail, fetchmail --mda). Prints the outcome as JSON. Exit codes follow sysexits, which
/// mail servers understand: 0 taken (also quarantined: it is stored), 67 no such mailbox, 75 try again later.</summary>
public static class IngestCommand
{
    public const int NoSuchMailbox = 67;
    public const int TryAgainLater = 75;

    public static Command Create(IServiceProvider services, Func<CancellationToken, Task> migrate, Func<Stream>? input = null, TextWriter? output = null)
    {
        var mailbox = new Option<string>("--mailbox") { Description = "The mailbox the message arrived in (its name)", Required = true };
        var command = new Command("ingest", "Take in one raw email from standard input and print what became of it") { mailbox };
        command.SetAction(async (parse, ct) =>
        {
            var stdout = output ?? Console.Out;
            try
            {
                await migrate(ct);
                var name = parse.GetValue(mailbox)!.Trim().ToLowerInvariant();
                var ingest = services.GetRequiredService<IngestMail>();
                var mailboxId = await services.GetRequiredService<MailboxDirectory>().MailboxIdAsync(name, ct);
                if (mailboxId is null)
                {
                    await Console.Error.WriteLineAsync($"There is no mailbox named '{name}'.");
                    return NoSuchMailbox;
                }
                await using var stdin = input?.Invoke() ?? Console.OpenStandardInput();
                var result = await ingest.HandleAsync(mailboxId, stdin, MailSource.Direct, ct);
                if (result is null)
                {
                    var limit = services.GetRequiredService<IOptions<MailOptions>>().Value.MaxMessageSize;
                    await Console.Error.WriteLineAsync($"The message is larger than the limit of {limit:N0} bytes.");
                    return 1;
                }
                var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
                await stdout.WriteLineAsync(JsonSerializer.Serialize(result, json));
                return 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The message was not taken; the mail server keeps it and tries again.
                await Console.Error.WriteLineAsync($"Could not take the message in: {e.Message}");
                return TryAgainLater;
            }
        });
        return command;
    }
}
