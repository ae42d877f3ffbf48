using Rapport.Bench;
using Rapport.Bench.Generate;
using Rapport.Bench.Measure;

const string usage =
    $"""
    Rapport.Bench: data generator and load measurements for Rapport.

    {GenerateCommand.Usage}

    {ListCommand.Usage}

    {CreateCommand.Usage}

    {IntakeCommand.Usage}

    {ImapPullCommand.Usage}

    {MailPrepareCommand.Usage}

    {MailFileCommand.Usage}

    {HostileHtmlCommand.Usage}

    {ReplyCheckCommand.Usage}

    {ReportsCommand.Usage}

    {SearchCommand.Usage}

    {SearchIndexCommand.Usage}

    {CalendarCommand.Usage}

    {WarnScanCommand.Usage}
    """;

if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
{
    Console.WriteLine(usage);
    return 0;
}
try
{
    var options = new Options(args.Skip(1));
    return args[0] switch
    {
        "generate" => GenerateCommand.Run(options),
        "list" => await ListCommand.RunAsync(options),
        "create" => await CreateCommand.RunAsync(options),
        "intake" => await IntakeCommand.RunAsync(options),
        "imap-pull" => await ImapPullCommand.RunAsync(options),
        "mail-prepare" => MailPrepareCommand.Run(options),
        "mail-file" => await MailFileCommand.RunAsync(options),
        "hostile-html" => HostileHtmlCommand.Run(options),
        "reply-check" => ReplyCheckCommand.Run(options),
        "reports" => await ReportsCommand.RunAsync(options),
        "search" => await SearchCommand.RunAsync(options),
        "search-index" => await SearchIndexCommand.RunAsync(options),
        "calendar" => CalendarCommand.Run(options),
        "warn-scan" => await WarnScanCommand.RunAsync(options),
        _ => throw new UsageException($"Unknown command '{args[0]}'."),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine();
    Console.Error.WriteLine(usage);
    return 2;
}
catch (SchemaMismatchException e)
{
    Console.Error.WriteLine(e.Message);
    return 3;
}
