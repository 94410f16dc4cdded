using System.Text;

namespace DiscordLedgerBot.Testing;

/// <summary>
/// Writes a tiny whisper model in the legacy ggml format whisper.cpp still loads (<c>whisper_model_load</c>): magic,
/// hyper-parameters, mel filters, vocabulary, then every tensor by exact name and shape (f16 matrices and convolution
/// kernels as whisper.cpp's CPU backend requires, f32 for the rest), with seeded random weights. It transcribes anything to some word salad — enough to prove the Whisper.net engine loads a model, runs,
/// cancels and feeds its text to the intent parser without a real (hundreds of MB, not obtainable offline) model.
/// One audio and one text layer of width 64 keep it at ~8 MB, almost all of it the token embedding.
/// </summary>
public static class TinyWhisperModel
{
    private const uint GgmlMagic = 0x67676d6c;

    // English-only vocabulary size (multilingual models have 51865+): whisper.cpp appends the special tokens itself.
    private const int VocabularySize = 51864;
    private const int TextTokens = 50256;
    private const int AudioContext = 1500;
    private const int TextContext = 448;
    private const int State = 64;
    private const int Heads = 1;
    private const int Layers = 1;
    private const int Mels = 80;
    private const int FftBins = 201;

    private static readonly string[] Words =
    [
        "the", "ledger", "task", "move", "to", "done", "blocked", "status", "of", "create", "assign", "dana", "review",
        "deploy", "release", "is", "due", "friday", "what's", "overdue", "note", "saying", "yes", "no", "budget",
    ];

    /// <summary>Writes the model to a new temp file and returns its path; the same seed gives the same bytes.</summary>
    public static string Write(int seed = 17)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("dlb-whisper-").FullName, "ggml-tiny-random.bin");
        Write(path, seed);
        return path;
    }

    public static void Write(string path, int seed = 17)
    {
        ArgumentNullException.ThrowIfNull(path);
        var random = new Random(seed);
        using var file = new BufferedStream(File.Create(path), 1 << 20);
        using var writer = new BinaryWriter(file, Encoding.UTF8);
        writer.Write(GgmlMagic);
        foreach (var value in new[] { VocabularySize, AudioContext, State, Heads, Layers, TextContext, State, Heads, Layers, Mels, 1 /* ftype: mostly f16 */ })
        {
            writer.Write(value);
        }

        writer.Write(Mels);
        writer.Write(FftBins);
        for (var i = 0; i < Mels * FftBins; i++)
        {
            // A triangular-ish filter bank is not needed for a random model: any non-negative weights give a finite mel.
            writer.Write((float)(random.NextDouble() * 0.01));
        }

        // Every printable ASCII character is a token of its own, so any prompt tokenizes; the rest repeat a few words.
        writer.Write(TextTokens);
        for (var i = 0; i < TextTokens; i++)
        {
            var token = i is >= 32 and < 127 ? [(byte)i] : Encoding.UTF8.GetBytes(" " + Words[i % Words.Length]);
            writer.Write(token.Length);
            writer.Write(token);
        }

        foreach (var (name, shape, kind) in Tensors())
        {
            // whisper.cpp stores convolution kernels and weight matrices in the model's type, everything else in f32.
            var half = name.EndsWith(".weight", StringComparison.Ordinal) && shape.Length > 1;
            writer.Write(shape.Length);
            var nameBytes = Encoding.UTF8.GetBytes(name);
            writer.Write(nameBytes.Length);
            writer.Write(half ? 1 : 0);
            foreach (var dimension in shape)
            {
                writer.Write(dimension);
            }

            writer.Write(nameBytes);
            var count = shape.Aggregate(1, (product, dimension) => product * dimension);
            for (var i = 0; i < count; i++)
            {
                var value = kind switch
                {
                    Init.One => 1f,
                    Init.Zero => 0f,
                    _ => (float)((random.NextDouble() - 0.5) * 0.1),
                };
                if (half)
                {
                    writer.Write((Half)value);
                }
                else
                {
                    writer.Write(value);
                }
            }
        }
    }

    private enum Init
    {
        Random,
        One,
        Zero,
    }

    private static IEnumerable<(string Name, int[] Shape, Init Kind)> Tensors()
    {
        yield return ("encoder.positional_embedding", [State, AudioContext], Init.Random);
        yield return ("encoder.conv1.weight", [3, Mels, State], Init.Random);
        yield return ("encoder.conv1.bias", [1, State], Init.Zero);
        yield return ("encoder.conv2.weight", [3, State, State], Init.Random);
        yield return ("encoder.conv2.bias", [1, State], Init.Zero);
        yield return ("encoder.ln_post.weight", [State], Init.One);
        yield return ("encoder.ln_post.bias", [State], Init.Zero);
        for (var layer = 0; layer < Layers; layer++)
        {
            foreach (var tensor in Block($"encoder.blocks.{layer}", "attn"))
            {
                yield return tensor;
            }
        }

        yield return ("decoder.positional_embedding", [State, TextContext], Init.Random);
        yield return ("decoder.token_embedding.weight", [State, VocabularySize], Init.Random);
        yield return ("decoder.ln.weight", [State], Init.One);
        yield return ("decoder.ln.bias", [State], Init.Zero);
        for (var layer = 0; layer < Layers; layer++)
        {
            foreach (var tensor in Block($"decoder.blocks.{layer}", "attn").Concat(Attention($"decoder.blocks.{layer}", "cross_attn")))
            {
                yield return tensor;
            }
        }
    }

    private static IEnumerable<(string, int[], Init)> Block(string prefix, string attention)
    {
        yield return ($"{prefix}.mlp_ln.weight", [State], Init.One);
        yield return ($"{prefix}.mlp_ln.bias", [State], Init.Zero);
        yield return ($"{prefix}.mlp.0.weight", [State, 4 * State], Init.Random);
        yield return ($"{prefix}.mlp.0.bias", [4 * State], Init.Zero);
        yield return ($"{prefix}.mlp.2.weight", [4 * State, State], Init.Random);
        yield return ($"{prefix}.mlp.2.bias", [State], Init.Zero);
        foreach (var tensor in Attention(prefix, attention))
        {
            yield return tensor;
        }
    }

    private static IEnumerable<(string, int[], Init)> Attention(string prefix, string attention)
    {
        yield return ($"{prefix}.{attention}_ln.weight", [State], Init.One);
        yield return ($"{prefix}.{attention}_ln.bias", [State], Init.Zero);
        yield return ($"{prefix}.{attention}.query.weight", [State, State], Init.Random);
        yield return ($"{prefix}.{attention}.query.bias", [State], Init.Zero);
        yield return ($"{prefix}.{attention}.key.weight", [State, State], Init.Random);
        yield return ($"{prefix}.{attention}.value.weight", [State, State], Init.Random);
        yield return ($"{prefix}.{attention}.value.bias", [State], Init.Zero);
        yield return ($"{prefix}.{attention}.out.weight", [State, State], Init.Random);
        yield return ($"{prefix}.{attention}.out.bias", [State], Init.Zero);
    }
}
