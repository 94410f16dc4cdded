using System.Globalization;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Core.Redis;

public enum RedisProtocol
{
    /// <summary>Try HELLO 3 and fall back to RESP2 when the server does not know it.</summary>
    Auto,
    Resp2,
    Resp3,
}

/// <summary>
/// Section "Redis". Either <see cref="ConnectionString"/> ("host:port,password=…,user=…,database=N,protocol=resp3"
/// or "redis://user:password@host:port/db") or the individual keys; the connection string wins where both are set.
/// </summary>
public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    public string? ConnectionString { get; set; }

    public string? Host { get; set; }

    public int Port { get; set; } = 6379;

    public string? User { get; set; }

    public string? Password { get; set; }

    public int Database { get; set; }

    public RedisProtocol Protocol { get; set; } = RedisProtocol.Auto;

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MinReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>True when either a connection string or a host is given: Redis is then the configured store.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(Host);

    /// <summary>The effective settings, with the connection string applied over the individual keys.</summary>
    public RedisOptions Resolve()
    {
        var resolved = (RedisOptions)MemberwiseClone();
        resolved.ConnectionString = null;
        if (!string.IsNullOrWhiteSpace(ConnectionString))
        {
            RedisConnectionString.ApplyTo(ConnectionString, resolved);
        }

        return resolved;
    }

    public string Endpoint => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    // The password never appears here: options get logged when startup fails.
    public override string ToString() =>
        $"{Endpoint} db={Database} user={User ?? "(default)"} password={(string.IsNullOrEmpty(Password) ? "(none)" : "***")} protocol={Protocol}";
}

/// <summary>Parses the two connection string forms into <see cref="RedisOptions"/>.</summary>
public static class RedisConnectionString
{
    public static void ApplyTo(string connectionString, RedisOptions target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var text = connectionString.Trim();
        if (text.StartsWith("redis://", StringComparison.OrdinalIgnoreCase))
        {
            ApplyUri(text, target);
            return;
        }

        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var endpoints = 0;
        foreach (var part in parts)
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                // Never echo the part: it may be the tail of a password that contained a comma.
                if (++endpoints > 1)
                {
                    throw new FormatException(
                        "Redis:ConnectionString names more than one endpoint; one is supported. A ',' cannot appear in a password here: use the redis:// form with %2C.");
                }

                ApplyEndpoint(part, target);
                continue;
            }

            var key = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            switch (key.ToUpperInvariant())
            {
                case "PASSWORD":
                    target.Password = value;
                    break;
                case "USER":
                case "USERNAME":
                    target.User = value;
                    break;
                case "DATABASE":
                case "DEFAULTDATABASE":
                    target.Database = ParseInt(value, "database");
                    break;
                case "PROTOCOL":
                    target.Protocol = Enum.TryParse<RedisProtocol>(value, ignoreCase: true, out var protocol)
                        ? protocol
                        : throw new FormatException($"Redis:ConnectionString has an unknown protocol '{value}' (use auto, resp2 or resp3).");
                    break;
                case "CONNECTTIMEOUT":
                    target.ConnectTimeout = TimeSpan.FromMilliseconds(ParseInt(value, "connectTimeout"));
                    break;
                case "SYNCTIMEOUT":
                case "COMMANDTIMEOUT":
                    target.CommandTimeout = TimeSpan.FromMilliseconds(ParseInt(value, "commandTimeout"));
                    break;
                default:
                    // Never echo the value: an unknown key may be a mistyped password.
                    throw new FormatException($"Redis:ConnectionString has an unknown option '{key}'.");
            }
        }
    }

    private static void ApplyUri(string text, RedisOptions target)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw new FormatException("Redis:ConnectionString is not a valid redis:// URI.");
        }

        target.Host = uri.Host;
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            target.Port = uri.Port;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                target.Password = Uri.UnescapeDataString(uri.UserInfo);
            }
            else
            {
                var user = Uri.UnescapeDataString(uri.UserInfo[..colon]);
                target.User = user.Length == 0 ? null : user;
                target.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            target.Database = ParseInt(path, "database");
        }
    }

    private static void ApplyEndpoint(string endpoint, RedisOptions target)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon < 0)
        {
            target.Host = endpoint;
            return;
        }

        target.Host = endpoint[..colon];
        target.Port = ParseInt(endpoint[(colon + 1)..], "port");
    }

    private static int ParseInt(string value, string what) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw new FormatException($"Redis:ConnectionString has an invalid {what} '{value}'.");
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

        RedisOptions resolved;
        try
        {
            resolved = options.Resolve();
        }
        catch (FormatException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }

        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(resolved.Host))
        {
            failures.Add("Redis:Host is required when Redis is configured (env Redis__Host, or Redis__ConnectionString).");
        }

        if (resolved.Port is < 1 or > 65535)
        {
            failures.Add("Redis:Port must be between 1 and 65535 (env Redis__Port).");
        }

        if (resolved.Database < 0)
        {
            failures.Add("Redis:Database must not be negative (env Redis__Database).");
        }

        if (resolved.CommandTimeout <= TimeSpan.Zero || resolved.ConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add("Redis:CommandTimeout and Redis:ConnectTimeout must be positive.");
        }

        if (resolved.MinReconnectDelay <= TimeSpan.Zero || resolved.MaxReconnectDelay < resolved.MinReconnectDelay)
        {
            failures.Add("Redis:MinReconnectDelay must be positive and not above Redis:MaxReconnectDelay.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
