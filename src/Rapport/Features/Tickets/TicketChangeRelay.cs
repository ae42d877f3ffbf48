using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using Rapport.Data;
using Rapport.Infrastructure;

namespace Rapport.Features.Tickets;

/// <summary>With several app instances on one PostgreSQL database, carries ticket changes between them through
/// LISTEN/NOTIFY, so every agent's inbox updates live whichever instance they are connected to. Reconnects after a
/// lost connection; a change missed meanwhile shows at the next change or reload. Not used with SQLite (one instance).</summary>
public sealed partial class TicketChangeRelay(TicketChanges changes, IConfiguration configuration, TimeProvider time, ILogger<TicketChangeRelay> logger)
    : BackgroundService
{
    public const string Channel = "rapport_ticket_changes";

    private readonly string _instance = Guid.NewGuid().ToString("N")[..12];
    private readonly Channel<TicketChange> _outgoing = System.Threading.Channels.Channel.CreateBounded<TicketChange>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public static void AddTo(IHostApplicationBuilder builder)
    {
        var database = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (database.Provider == DatabaseProvider.Postgres)
        {
            builder.Services.AddHostedService<TicketChangeRelay>();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = configuration.GetConnectionString(DataSetup.ConnectionStringName)!;
        changes.ChangedHere += Enqueue;
        try
        {
            await Task.WhenAll(ListenAsync(connectionString, stoppingToken), SendAsync(connectionString, stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            changes.ChangedHere -= Enqueue;
        }
    }

    private void Enqueue(TicketChange change) => _outgoing.Writer.TryWrite(change);

    private async Task ListenAsync(string connectionString, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { KeepAlive = 30 }.ConnectionString);
                await connection.OpenAsync(ct);
                connection.Notification += (_, e) => Receive(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }
                while (!ct.IsCancellationRequested)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogListenFailed(e);
                await Task.Delay(TimeSpan.FromSeconds(5), time, ct);
            }
        }
    }

    private async Task SendAsync(string connectionString, CancellationToken ct)
    {
        await using var source = NpgsqlDataSource.Create(connectionString);
        await foreach (var change in _outgoing.Reader.ReadAllAsync(ct))
        {
            var payload = string.Create(CultureInfo.InvariantCulture, $"{_instance}|{change.TicketId}|{change.Kind}|{change.ByAgentId}");
            try
            {
                await using var command = source.CreateCommand("SELECT pg_notify(@channel, @payload)");
                command.Parameters.AddWithValue("channel", Channel);
                command.Parameters.AddWithValue("payload", payload);
                await command.ExecuteNonQueryAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogSendFailed(e);
            }
        }
    }

    private void Receive(string payload)
    {
        var parts = payload.Split('|');
        if (parts.Length != 4 || parts[0] == _instance
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticketId)
            || !Enum.TryParse<TicketChangeKind>(parts[2], out var kind))
        {
            return;
        }
        int? agentId = int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
        changes.PublishFromElsewhere(new TicketChange(ticketId, kind, agentId));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for ticket changes from other app instances failed; retrying in 5 s")]
    private partial void LogListenFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telling other app instances about a ticket change failed")]
    private partial void LogSendFailed(Exception exception);
}
