using DiscordLedgerBot.Core.Speech.Recognition;

namespace DiscordLedgerBot.Core.Speech;

/// <summary>
/// <c>Speech:*</c>: which engine recognises spoken requests and how requests are gated and confirmed. The embedded
/// offline engine is the default; nothing is kept beyond the utterance being processed unless <see cref="Audit"/> is on.
/// </summary>
public sealed class SpeechOptions
{
    public const string SectionName = "Speech";

    public const string PocketSphinxEngine = "pocketsphinx";
    public const string HttpEngine = "http";
    public const string WhisperEngine = "whisper";

    /// <summary>Off stops every spoken request (voice channel and voice messages) before recognition.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// <c>pocketsphinx</c> (embedded, offline), <c>http</c> (an OpenAI-compatible transcription server, e.g. a self-hosted
    /// Whisper) or <c>whisper</c> (whisper.cpp in process through Whisper.net, with a ggml model the operator provides).
    /// </summary>
    public string Engine { get; set; } = PocketSphinxEngine;

    /// <summary>Said before a request in a voice channel; empty turns the gate off (then every utterance is a request).</summary>
    public string WakePhrase { get; set; } = "hey ledger";

    /// <summary>How long a write waits for the speaker's button or spoken yes/no before it lapses, changing nothing.</summary>
    public TimeSpan ConfirmationWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long "it" / "that" keeps meaning the item last talked about.</summary>
    public TimeSpan MemoryLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long <c>/voice listen</c> lets a speaker talk without the wake phrase.</summary>
    public TimeSpan ListenWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A create that names no due date gets one this many days ahead (every request sets or reaffirms a due date).</summary>
    public int DefaultDueDays { get; set; } = 7;

    /// <summary>When on, each request's transcript is written to the log (never the audio). Off by default.</summary>
    public bool Audit { get; set; }

    /// <summary>Longest utterance recognised; longer ones are refused with a message (the request must be short).</summary>
    public TimeSpan MaxUtterance { get; set; } = TimeSpan.FromSeconds(30);

    public PocketSphinxOptions PocketSphinx { get; set; } = new();

    public HttpTranscriptionOptions Http { get; set; } = new();

    public WhisperOptions Whisper { get; set; } = new();

    public IEnumerable<string> Problems()
    {
        if (Engine is not (PocketSphinxEngine or HttpEngine or WhisperEngine))
        {
            yield return $"Speech:Engine must be pocketsphinx, http or whisper (got '{Engine}').";
        }

        if (ConfirmationWindow <= TimeSpan.Zero || MemoryLifetime <= TimeSpan.Zero || ListenWindow <= TimeSpan.Zero || MaxUtterance <= TimeSpan.Zero)
        {
            yield return "Speech:ConfirmationWindow, Speech:MemoryLifetime, Speech:ListenWindow and Speech:MaxUtterance must be positive.";
        }

        if (DefaultDueDays is < 0 or > 365)
        {
            yield return "Speech:DefaultDueDays must be between 0 and 365.";
        }

        if (Engine == HttpEngine)
        {
            foreach (var problem in Http.Problems())
            {
                yield return problem;
            }
        }

        if (Engine == WhisperEngine)
        {
            foreach (var problem in Whisper.Problems())
            {
                yield return problem;
            }
        }
    }
}

public sealed class PocketSphinxOptions
{
    public string AcousticModel { get; set; } = "/usr/share/pocketsphinx/model/en-us/en-us";

    public string Dictionary { get; set; } = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";

    /// <summary>
    /// pocketsphinx's word insertion probability (<c>-wip</c>). Below the library's 0.65 default, which split one long
    /// free word into several short ones; but not far below: at 1e-4 whole requests collapsed into "yes" or "stop" with
    /// the rest of the audio taken as silence (bench speech-accuracy: 75% → 91% clean with 0.05 and the grammar weights).
    /// </summary>
    public double WordInsertionProbability { get; set; } = 5e-2;

    /// <summary>Decoders kept for concurrent utterances (one per stream; each holds the dictionary, ~30 MiB).</summary>
    public int MaxDecoders { get; set; } = 2;

    /// <summary>Phones for words the dictionary lacks (e.g. <c>Speech:PocketSphinx:Pronunciations:kubernetes=K UW B ER N EH T IY Z</c>); others are spelled letter by letter.</summary>
    public Dictionary<string, string> Pronunciations { get; set; } = new(StringComparer.Ordinal);
}

public sealed class HttpTranscriptionOptions
{
    /// <summary>The server's base URL; the engine posts to <c>{BaseUrl}/v1/audio/transcriptions</c>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Bearer key, if the server wants one. Never logged.</summary>
    public string? ApiKey { get; set; }

    public string Model { get; set; } = "whisper-1";

    /// <summary>Per attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after a failed attempt (5xx, 408, 429, timeout, connection error); 0 turns retrying off.</summary>
    public int Retries { get; set; } = 2;

    /// <summary>First backoff (doubling after); a 429/503's Retry-After replaces it.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bound on the whole request, retries and their waits included: a speaker should hear back promptly.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<string> Problems()
    {
        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            yield return "Speech:Http:BaseUrl must be an absolute http(s) URL when Speech:Engine is http (env Speech__Http__BaseUrl).";
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            yield return "Speech:Http:Model must name the transcription model (e.g. whisper-1).";
        }

        if (Timeout < TimeSpan.FromMilliseconds(10) || TotalTimeout < Timeout || TotalTimeout > TimeSpan.FromHours(1))
        {
            yield return "Speech:Http:Timeout must be at least 10 ms and Speech:Http:TotalTimeout at least Speech:Http:Timeout (and at most 1 h).";
        }

        if (Retries is < 0 or > 10 || RetryDelay < TimeSpan.Zero || RetryDelay > TimeSpan.FromMinutes(1))
        {
            yield return "Speech:Http:Retries must be between 0 and 10 and Speech:Http:RetryDelay between 0 and 1 minute.";
        }
    }
}

/// <summary><c>Speech:Whisper:*</c>: whisper.cpp (through Whisper.net) on a ggml model file the operator provides.</summary>
public sealed class WhisperOptions
{
    /// <summary>A ggml whisper model, e.g. <c>ggml-base.en.bin</c> from whisper.cpp's releases. Required with <c>Engine=whisper</c>.</summary>
    public string? ModelPath { get; set; }

    /// <summary>The spoken language's code (<c>en</c>, <c>de</c>, …); the intent parser understands English only.</summary>
    public string Language { get; set; } = "en";

    /// <summary>CPU threads per utterance; 0 shares the machine's cores among <see cref="MaxConcurrent"/> utterances.</summary>
    public int Threads { get; set; }

    /// <summary>Utterances transcribed at once (one whisper processor, with its own state of tens to hundreds of MiB, each); others wait.</summary>
    public int MaxConcurrent { get; set; } = 1;

    /// <summary>Threads one utterance gets.</summary>
    public int EffectiveThreads(int processorCount) => Threads > 0 ? Threads : Math.Max(1, processorCount / Math.Max(1, MaxConcurrent));

    public IEnumerable<string> Problems()
    {
        if (WhisperModelFile.Problem(ModelPath) is { } model)
        {
            yield return model;
        }

        if (Language is null || !(Language == "auto" || (Language.Length is 2 or 3 && Language.All(char.IsAsciiLetterLower))))
        {
            yield return $"Speech:Whisper:Language must be a lower-case language code such as en (got '{Language}').";
        }

        if (Threads is < 0 or > 64)
        {
            yield return "Speech:Whisper:Threads must be between 0 (share the cores) and 64.";
        }

        if (MaxConcurrent is < 1 or > 16)
        {
            yield return "Speech:Whisper:MaxConcurrent must be between 1 and 16.";
        }
    }
}
