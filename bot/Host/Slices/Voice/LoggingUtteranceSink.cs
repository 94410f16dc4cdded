using System.Diagnostics.Metrics;
using DiscordLedgerBot.Core.Speech;

namespace DiscordLedgerBot.Slices.Voice;

/// <summary>
/// The default <see cref="IUtteranceSink"/> until speech understanding is composed: logs who spoke where and for how
/// long (never the audio) and counts utterances and seconds heard.
/// </summary>
public sealed partial class LoggingUtteranceSink : IUtteranceSink, IDisposable
{
    public const string MeterName = "DiscordLedgerBot.Voice";
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _utterances;
    private readonly Counter<double> _seconds;
    private readonly ILogger<LoggingUtteranceSink> _logger;

    public LoggingUtteranceSink(ILogger<LoggingUtteranceSink> logger)
    {
        _logger = logger;
        _utterances = _meter.CreateCounter<long>("dlb.voice.utterances", description: "Utterances heard in voice channels");
        _seconds = _meter.CreateCounter<double>("dlb.voice.utterance_seconds", unit: "s", description: "Seconds of speech heard");
    }

    public ValueTask AcceptAsync(SpokenUtterance utterance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(utterance);
        _utterances.Add(1);
        _seconds.Add(utterance.Duration.TotalSeconds);
        LogHeard(_logger, utterance.SpeakerId, utterance.ChannelId, utterance.Duration.TotalMilliseconds);
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _meter.Dispose();

    [LoggerMessage(EventId = 7100, Level = LogLevel.Debug, Message = "Heard {SpeakerId} in voice channel {ChannelId} for {Milliseconds} ms")]
    private static partial void LogHeard(ILogger logger, string speakerId, string channelId, double milliseconds);
}
