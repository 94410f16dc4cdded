using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace DiscordLedgerBot.Core.Registry;

/// <summary>Probes one kind of health check. A probe never throws for an unhealthy tool: it reports a failed result.</summary>
public interface IHealthChecker
{
    HealthCheckKind Kind { get; }

    Task<HealthCheckResult> CheckAsync(HealthCheckRequest request, CancellationToken cancellationToken);
}

/// <summary>GET the tool's health URL; healthy when the status is the expected one within the timeout.</summary>
public sealed class HttpHealthChecker(HttpClient httpClient, TimeProvider time) : IHealthChecker
{
    public HealthCheckKind Kind => HealthCheckKind.Http;

    public async Task<HealthCheckResult> CheckAsync(HealthCheckRequest request, CancellationToken cancellationToken)
    {
        var check = request.Tool.HealthCheck;
        using var timeout = new CancellationTokenSource(check.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var started = time.GetTimestamp();
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, check.Url);
            using var response = await httpClient.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var elapsed = time.GetElapsedTime(started);
            var status = (int)response.StatusCode;
            return status == check.ExpectedStatus
                ? HealthCheckResult.Success(elapsed, $"HTTP {status}")
                : HealthCheckResult.Failure(elapsed, $"HTTP {status} (expected {check.ExpectedStatus})");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Failure(time.GetElapsedTime(started), $"no response within {check.Timeout.TotalMilliseconds:F0} ms");
        }
        catch (HttpRequestException ex)
        {
            return HealthCheckResult.Failure(time.GetElapsedTime(started), $"request failed: {ex.HttpRequestError} {(ex.InnerException as SocketException)?.SocketErrorCode}".TrimEnd());
        }
    }
}

/// <summary>Opens a TCP connection; healthy when the connect completes within the timeout.</summary>
public sealed class TcpHealthChecker(TimeProvider time) : IHealthChecker
{
    public HealthCheckKind Kind => HealthCheckKind.Tcp;

    public async Task<HealthCheckResult> CheckAsync(HealthCheckRequest request, CancellationToken cancellationToken)
    {
        var check = request.Tool.HealthCheck;
        using var timeout = new CancellationTokenSource(check.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var started = time.GetTimestamp();
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(check.Host!, check.Port, linked.Token);
            return HealthCheckResult.Success(time.GetElapsedTime(started), $"connected to {check.Host}:{check.Port}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Failure(time.GetElapsedTime(started), $"no connection to {check.Host}:{check.Port} within {check.Timeout.TotalMilliseconds:F0} ms");
        }
        catch (SocketException ex)
        {
            return HealthCheckResult.Failure(time.GetElapsedTime(started), $"connect to {check.Host}:{check.Port} failed: {ex.SocketErrorCode}");
        }
    }
}

/// <summary>Runs a local command; healthy when it exits with the expected code within the timeout (killed otherwise).</summary>
public sealed class CommandHealthChecker(TimeProvider time) : IHealthChecker
{
    private const int MaxDetailLength = 200;

    public HealthCheckKind Kind => HealthCheckKind.Command;

    public async Task<HealthCheckResult> CheckAsync(HealthCheckRequest request, CancellationToken cancellationToken)
    {
        var check = request.Tool.HealthCheck;
        var startInfo = new ProcessStartInfo(check.Executable!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in check.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var timeout = new CancellationTokenSource(check.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var started = time.GetTimestamp();
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return HealthCheckResult.Failure(time.GetElapsedTime(started), $"cannot start '{check.Executable}': {ex.Message}");
        }

        // Drain both pipes so a chatty command cannot block on a full pipe and look hung.
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            if (!timeout.IsCancellationRequested || cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return HealthCheckResult.Failure(time.GetElapsedTime(started), $"'{check.Executable}' did not exit within {check.Timeout.TotalMilliseconds:F0} ms and was killed");
        }

        var elapsed = time.GetElapsedTime(started);
        var text = Truncate(((await output) + " " + (await error)).Trim());
        return process.ExitCode == check.ExpectedExitCode
            ? HealthCheckResult.Success(elapsed, $"exit {process.ExitCode}")
            : HealthCheckResult.Failure(elapsed, string.Create(CultureInfo.InvariantCulture, $"exit {process.ExitCode} (expected {check.ExpectedExitCode}): {text}"));
    }

    private static string Truncate(string text) => text.Length <= MaxDetailLength ? text : text[..MaxDetailLength] + "…";
}

/// <summary>Healthy while the tool's local agent keeps pushing heartbeats younger than the configured max age.</summary>
public sealed class TtlHealthChecker(TimeProvider time) : IHealthChecker
{
    public HealthCheckKind Kind => HealthCheckKind.Ttl;

    public Task<HealthCheckResult> CheckAsync(HealthCheckRequest request, CancellationToken cancellationToken)
    {
        var maxAge = request.Tool.HealthCheck.MaxHeartbeatAge;
        if (request.LastHeartbeatAt is not { } last)
        {
            return Task.FromResult(HealthCheckResult.Failure(TimeSpan.Zero, "no heartbeat received yet"));
        }

        var age = time.GetUtcNow() - last;
        return Task.FromResult(age <= maxAge
            ? HealthCheckResult.Success(TimeSpan.Zero, $"heartbeat {age.TotalSeconds:F0} s old")
            : HealthCheckResult.Failure(TimeSpan.Zero, $"last heartbeat {age.TotalSeconds:F0} s old (max {maxAge.TotalSeconds:F0} s)"));
    }
}

/// <summary>Runs the right checker for a tool and feeds the result to the registry; what the scheduled job calls.</summary>
public sealed class RegistryHealthMonitor
{
    private readonly CapabilityRegistry _registry;
    private readonly Dictionary<HealthCheckKind, IHealthChecker> _checkers;

    public RegistryHealthMonitor(CapabilityRegistry registry, IEnumerable<IHealthChecker> checkers)
    {
        _registry = registry;
        _checkers = checkers.ToDictionary(c => c.Kind);
    }

    /// <summary>Probes the tool once; null when the tool is no longer registered.</summary>
    public async Task<HealthCheckResult?> CheckToolAsync(string toolId, CancellationToken cancellationToken)
    {
        // A heartbeat another process received must count for this probe (a no-op without a shared store).
        await _registry.AdoptSharedAsync(toolId, cancellationToken);
        if (!_registry.TryGetCheckRequest(toolId, out var request))
        {
            return null;
        }

        if (!_checkers.TryGetValue(request.Tool.HealthCheck.Kind, out var checker))
        {
            throw new InvalidOperationException($"No health checker is registered for {request.Tool.HealthCheck.Kind} checks (tool '{toolId}').");
        }

        using var activity = Telemetry.CoreTelemetry.Source.StartActivity("registry.check");
        activity?.SetTag("registry.tool", toolId);
        activity?.SetTag("registry.check_kind", request.Tool.HealthCheck.Kind.ToString());
        var result = await checker.CheckAsync(request, cancellationToken);
        await _registry.RecordCheckResultAsync(toolId, result, cancellationToken);
        activity?.SetTag("registry.succeeded", result.Succeeded);
        activity?.SetTag("registry.latency_ms", result.Latency.TotalMilliseconds);
        Telemetry.CoreTelemetry.RegistryChecks.Add(1, new KeyValuePair<string, object?>("tool", toolId), new KeyValuePair<string, object?>("succeeded", result.Succeeded));
        return result;
    }
}
