using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DiscordLedgerBot.Core.Redis;

/// <summary>
/// Section "Redis". Either <see cref="ConnectionString"/> in StackExchange.Redis syntax
/// ("host:port,user=…,password=…,ssl=true,defaultDatabase=N,connectTimeout=ms,syncTimeout=ms") or the individual
/// keys; when a connection string is set it alone describes the server, and the individual keys are ignored.
/// </summary>
public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    public string? ConnectionString { get; set; }

    public string? Host { get; set; }

    public int Port { get; set; } = 6379;

    /// <summary>ACL user (Redis 6+); unset authenticates as the default user.</summary>
    public string? User { get; set; }

    public string? Password { get; set; }

    public int Database { get; set; }

    /// <summary>TLS to the server, validated against the machine's trust store (host name = <see cref="Host"/>).</summary>
    public bool UseTls { get; set; }

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First delay of the exponential backoff between reconnect attempts after the connection drops.</summary>
    public TimeSpan MinReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Cap of that backoff.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when either a connection string or a host is given: Redis is then the configured store.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(Host);

    /// <summary>
    /// The StackExchange.Redis configuration. Whatever the connection string says, three settings are ours, because
    /// the failover store depends on them: the multiplexer is created even while Redis is down and keeps reconnecting
    /// in the background (<c>abortConnect=false</c>); commands issued while disconnected fail at once instead of
    /// queueing (<see cref="BacklogPolicy.FailFast"/>), so the store can switch to its file fallback immediately; and
    /// reconnects back off exponentially between <see cref="MinReconnectDelay"/> and <see cref="MaxReconnectDelay"/>.
    /// </summary>
    public ConfigurationOptions ToConfigurationOptions(ILoggerFactory? loggerFactory = null)
    {
        var configuration = string.IsNullOrWhiteSpace(ConnectionString)
            ? new ConfigurationOptions
            {
                EndPoints = { { Host ?? string.Empty, Port } },
                User = string.IsNullOrEmpty(User) ? null : User,
                Password = string.IsNullOrEmpty(Password) ? null : Password,
                DefaultDatabase = Database,
                Ssl = UseTls,
                ConnectTimeout = Milliseconds(ConnectTimeout),
                SyncTimeout = Milliseconds(CommandTimeout),
                AsyncTimeout = Milliseconds(CommandTimeout),
            }
            : ConfigurationOptions.Parse(ConnectionString);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ReconnectRetryPolicy = new ExponentialRetry(Milliseconds(MinReconnectDelay), Milliseconds(MaxReconnectDelay));
        configuration.LoggerFactory = loggerFactory;
        return configuration;
    }

    // The password never appears here: options get logged when startup fails.
    public override string ToString() => string.IsNullOrWhiteSpace(ConnectionString)
        ? $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)} db={Database} user={User ?? "(default)"} password={(string.IsNullOrEmpty(Password) ? "(none)" : "***")} tls={UseTls}"
        : ConfigurationOptions.Parse(ConnectionString, ignoreUnknown: true).ToString(includePassword: false);

    private static int Milliseconds(TimeSpan value) => (int)Math.Clamp(value.TotalMilliseconds, 1, int.MaxValue);
}

public sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsConfigured)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            if (options.Port is < 1 or > 65535)
            {
                failures.Add("Redis:Port must be between 1 and 65535 (env Redis__Port).");
            }

            if (options.Database < 0)
            {
                failures.Add("Redis:Database must not be negative (env Redis__Database).");
            }

            if (options.CommandTimeout <= TimeSpan.Zero || options.ConnectTimeout <= TimeSpan.Zero)
            {
                failures.Add("Redis:CommandTimeout and Redis:ConnectTimeout must be positive.");
            }
        }
        else if (options.ConnectionString.TrimStart().StartsWith("redis://", StringComparison.OrdinalIgnoreCase)
            || options.ConnectionString.TrimStart().StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            // StackExchange.Redis would take the whole URI for a host name and fail only when it tries to connect.
            failures.Add("Redis:ConnectionString must use StackExchange.Redis syntax, not a redis:// URI: e.g. \"redis:6379,password=…,defaultDatabase=0\" (env Redis__ConnectionString), or set Redis:Host/Port/Password/Database instead.");
        }
        else
        {
            try
            {
                if (options.ToConfigurationOptions().EndPoints.Count == 0)
                {
                    failures.Add("Redis:ConnectionString names no endpoint (host:port).");
                }
            }
            catch (ArgumentException ex)
            {
                // StackExchange.Redis names the offending option, never its value (which may be a password).
                failures.Add($"Redis:ConnectionString is not a valid StackExchange.Redis configuration: {ex.Message}");
            }
        }

        if (options.MinReconnectDelay <= TimeSpan.Zero || options.MaxReconnectDelay < options.MinReconnectDelay)
        {
            failures.Add("Redis:MinReconnectDelay must be positive and not above Redis:MaxReconnectDelay.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
