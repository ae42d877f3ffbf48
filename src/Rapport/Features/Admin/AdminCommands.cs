using System.CommandLine;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Rapport.Data;
using Rapport.Features.ApiTokens;
using Rapport.Features.Setup;
using Rapport.Infrastructure;

namespace Rapport.Features.Admin;

/// <summary>The admin command line, in the same executable as the web app: `Rapport setup …`, `Rapport token create …`,
/// `Rapport migrate`, `Rapport seed-demo`. Output for scripts goes to stdout; logs go to stderr.</summary>
public static class AdminCommands
{
    private static readonly HashSet<string> Verbs = ["setup", "token", "migrate", "seed-demo", "ingest", "help", "--help", "-h", "-?", "--version"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var root = new RootCommand("Rapport: a self-hosted customer-service desk. Without a command, runs the web app.");
        root.Subcommands.Add(SetupCommand(services));
        root.Subcommands.Add(TokenCommand(services));
        root.Subcommands.Add(MigrateCommand(services));
        root.Subcommands.Add(SeedDemoCommand(services));
        root.Subcommands.Add(Mail.IngestCommand.Create(services, ct => MigrateIfEnabledAsync(services, ct)));
        var verb = args[0] is "help" ? ["--help"] : args;
        return await root.Parse(verb).InvokeAsync();
    }

    private static Command SetupCommand(IServiceProvider services)
    {
        var email = new Option<string>("--email") { Description = "The owner's email address (their sign-in)", Required = true };
        var password = new Option<string>("--password") { Description = "The owner's password, at least 10 characters", Required = true };
        var business = new Option<string>("--business") { Description = "The business's name", Required = true };
        var timeZone = new Option<string>("--time-zone") { Description = "The business's IANA time zone, e.g. Europe/Berlin", Required = true };
        var name = new Option<string?>("--name") { Description = "The owner's display name (default: from the address)" };
        var publicUrl = new Option<string?>("--public-url")
        {
            Description = "The address customers reach the desk at, e.g. https://help.example.com: the base of every link in mail (else set it in Settings)",
        };
        var command = new Command("setup", "Create the owner account and business profile (refused if an owner exists)")
        {
            email, password, business, timeZone, name, publicUrl,
        };
        command.SetAction(async (parse, ct) =>
        {
            await MigrateIfEnabledAsync(services, ct);
            await using var scope = services.CreateAsyncScope();
            var setup = scope.ServiceProvider.GetRequiredService<CompleteSetup>();
            var result = await setup.HandleAsync(new CompleteSetup.Request(
                parse.GetValue(email)!, parse.GetValue(password)!, parse.GetValue(name) ?? "", parse.GetValue(business)!, parse.GetValue(timeZone)!,
                parse.GetValue(publicUrl)), ct);
            if (!result.Succeeded)
            {
                foreach (var error in result.Errors)
                {
                    await Console.Error.WriteLineAsync(error);
                }
                return 1;
            }
            Console.WriteLine($"Owner {result.Owner!.Email} created. Start Rapport and sign in.");
            return 0;
        });
        return command;
    }

    private static Command TokenCommand(IServiceProvider services)
    {
        var name = new Option<string>("--name") { Description = "What the token is for, e.g. \"shop integration\"", Required = true };
        var scope = new Option<ApiTokenScope>("--scope") { Description = "read or write", Required = true };
        scope.CustomParser = result => result.Tokens.Count == 1 && Enum.TryParse<ApiTokenScope>(result.Tokens[0].Value, ignoreCase: true, out var value)
            ? value
            : Fail<ApiTokenScope>(result, "--scope must be read or write.");
        var create = new Command("create", "Create an API token and print it once") { name, scope };
        create.SetAction(async (parse, ct) =>
        {
            await MigrateIfEnabledAsync(services, ct);
            var manage = services.GetRequiredService<ManageApiTokens>();
            var (token, plain) = await manage.CreateAsync(parse.GetValue(name)!, parse.GetValue(scope), Tickets.Actor.System, ct);
            await Console.Error.WriteLineAsync($"Token {token.Id} \"{token.Name}\" ({token.Scope.ToString().ToLowerInvariant()}) created. It is shown once; store it now.");
            Console.WriteLine(plain);
            return 0;
        });

        var list = new Command("list", "List API tokens");
        list.SetAction(async (_, ct) =>
        {
            await MigrateIfEnabledAsync(services, ct);
            await using var scopeProvider = services.CreateAsyncScope();
            var db = scopeProvider.ServiceProvider.GetRequiredService<RapportDb>();
            foreach (var t in db.ApiTokens.OrderBy(t => t.Id))
            {
                Console.WriteLine($"{t.Id}\t{t.Scope.ToString().ToLowerInvariant()}\t{(t.RevokedAt is null ? "active" : "revoked")}\t{t.Name}");
            }
            return 0;
        });

        var id = new Option<int>("--id") { Description = "The token's id (see token list)", Required = true };
        var revoke = new Command("revoke", "Revoke an API token") { id };
        revoke.SetAction(async (parse, ct) =>
        {
            var revoked = await services.GetRequiredService<ManageApiTokens>().RevokeAsync(parse.GetValue(id), Tickets.Actor.System, ct);
            if (!revoked)
            {
                await Console.Error.WriteLineAsync($"There is no token {parse.GetValue(id)}.");
                return 1;
            }
            Console.WriteLine($"Token {parse.GetValue(id)} revoked.");
            return 0;
        });
        return new Command("token", "Manage API tokens") { create, list, revoke };
    }

    private static Command MigrateCommand(IServiceProvider services)
    {
        var command = new Command("migrate", "Apply pending database migrations");
        command.SetAction(async (_, ct) =>
        {
            var applied = await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
            Console.WriteLine(applied.Count == 0 ? "The database is up to date." : $"Applied {applied.Count} migrations: {string.Join(", ", applied)}");
            return 0;
        });
        return command;
    }

    private static Command SeedDemoCommand(IServiceProvider services)
    {
        var command = new Command("seed-demo", "Fill the desk with a small, realistic sample: agents, customers, tickets");
        command.SetAction(async (_, ct) =>
        {
            await MigrateIfEnabledAsync(services, ct);
            await using var scope = services.CreateAsyncScope();
            var seed = ActivatorUtilities.CreateInstance<SeedDemo>(scope.ServiceProvider);
            var summary = await seed.RunAsync(ct);
            Console.WriteLine(summary);
            return 0;
        });
        return command;
    }

    private static async Task MigrateIfEnabledAsync(IServiceProvider services, CancellationToken ct)
    {
        if (services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStartup)
        {
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
        }
    }

    private static T Fail<T>(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return default!;
    }
}
