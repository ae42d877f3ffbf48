using Npgsql;

namespace Rapport.Data;

/// <summary>With PostgreSQL, listens for the notification a trigger sends when a transaction that wrote ticket events
/// commits (<see cref="Channel"/>; sent by the database at commit, to every node, this one included) and pulses
/// <see cref="CommitSignal"/>. Reconnects after a lost connection; meanwhile readers fall back to polling.</summary>
public sealed partial class PostgresCommitListener(CommitSignal signal, IConfiguration configuration, TimeProvider time,
    ILogger<PostgresCommitListener> logger) : BackgroundService
{
    /// <summary>The channel the ticket events trigger notifies (see the hand-written steps of the Postgres Initial migration).</summary>
    public const string Channel = "rapport_ticket_events";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(DataSetup.ConnectionStringName))
        {
            KeepAlive = 30,
        }.ConnectionString;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, _) => signal.Pulse();
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                // Whatever was committed while not listening is read now.
                signal.Pulse();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogListenFailed(e);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for committed ticket changes failed; retrying in 5 s (until then changes are found by polling)")]
    private partial void LogListenFailed(Exception exception);
}
