using DiscordLedgerBot.Core.Speech;
using DiscordLedgerBot.Core.Speech.Intents;
using DiscordLedgerBot.Core.Speech.Recognition;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DiscordLedgerBot.Slices.Speech;

/// <summary>
/// Spoken requests: the recognizer chosen by <c>Speech:Engine</c>, the intent pipeline behind <see cref="IUtteranceSink"/>
/// (registered with AddSingleton so it replaces the voice receiver's logging default whatever the order), its buttons
/// and conversation state. Called from <c>AddLedgerBot</c>; the bot role also runs the pipeline's workers.
/// </summary>
public static class SpeechComposition
{
    public static IServiceCollection AddLedgerSpeech(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SpeechOptions>().Bind(configuration.GetSection(SpeechOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SpeechOptions>, SpeechOptionsValidator>());
        services.TryAddSingleton(sp => new ConversationMemory(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<SpeechOptions>>().Value.MemoryLifetime));
        services.TryAddSingleton<SpeechRequests>();
        services.TryAddSingleton<SpeechVocabularySource>();
        services.TryAddSingleton<SpeechActions>();
        services.TryAddSingleton<SpeechSlice>();
        services.TryAddSingleton<SpeechPipeline>();
        services.TryAddSingleton(CreateRecognizer);
        HttpSpeechRecognizer.AddHttpSpeechClient(services);

        // Speech switched off at start leaves the voice receiver's logging sink in place: voice is heard, nothing is understood.
        if (configuration.GetValue(SpeechOptions.SectionName + ":" + nameof(SpeechOptions.Enabled), true))
        {
            services.AddSingleton<IUtteranceSink>(sp => sp.GetRequiredService<SpeechPipeline>());
        }

        return services;
    }

    /// <summary>The pipeline's workers: part of the bot process only (CLI verbs call the recognizer directly).</summary>
    public static IServiceCollection AddLedgerSpeechWorkers(this IServiceCollection services)
    {
        services.AddHostedService(sp => sp.GetRequiredService<SpeechPipeline>());
        return services;
    }

    /// <summary>The engine <paramref name="name"/> names (or the configured one).</summary>
    public static ISpeechRecognizer CreateRecognizer(IServiceProvider services, string? name)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetRequiredService<IOptions<SpeechOptions>>();
        return (name ?? options.Value.Engine) switch
        {
            SpeechOptions.PocketSphinxEngine => new PocketSphinxRecognizer(options, services.GetRequiredService<TimeProvider>()),
            SpeechOptions.HttpEngine => options.Value.Http.Problems().FirstOrDefault() is { } problem
                ? throw new SpeechRecognitionException(problem)
                : ActivatorUtilities.CreateInstance<HttpSpeechRecognizer>(services),
            SpeechOptions.WhisperEngine => options.Value.Whisper.Problems().FirstOrDefault() is { } problem
                ? throw new SpeechRecognitionException(problem)
                : ActivatorUtilities.CreateInstance<WhisperSpeechRecognizer>(services),
            var other => throw new SpeechRecognitionException($"Unknown speech engine '{other}': use {SpeechOptions.PocketSphinxEngine}, {SpeechOptions.HttpEngine} or {SpeechOptions.WhisperEngine}."),
        };
    }

    private static ISpeechRecognizer CreateRecognizer(IServiceProvider services) => CreateRecognizer(services, null);
}

internal sealed class SpeechOptionsValidator : IValidateOptions<SpeechOptions>
{
    public ValidateOptionsResult Validate(string? name, SpeechOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
