using System.Runtime.InteropServices;

namespace DiscordLedgerBot.Core.Speech.Recognition;

/// <summary>
/// The Debian pocketsphinx 0.8+5prealpha API (versioned .so names: the runtime packages ship no unversioned link).
/// Strings the decoder returns stay its own (<see cref="IntPtr"/>, read with PtrToStringUTF8), and configuration goes
/// through cmd_ln_parse_r because the varargs cmd_ln_init cannot be called from C#.
/// </summary>
internal static class PocketSphinxNative
{
    private const string PocketSphinx = "libpocketsphinx.so.3";
    private const string SphinxBase = "libsphinxbase.so.3";

    [DllImport(PocketSphinx, CallingConvention = CallingConvention.Cdecl)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern IntPtr ps_args();

    [DllImport(SphinxBase, CallingConvention = CallingConvention.Cdecl)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern IntPtr cmd_ln_parse_r(IntPtr inoutCmdln, IntPtr definitions, int argc, [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string[] argv, int strict);

    [DllImport(SphinxBase, CallingConvention = CallingConvention.Cdecl)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int cmd_ln_free_r(IntPtr cmdln);

    [DllImport(SphinxBase, CallingConvention = CallingConvention.Cdecl)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int err_set_logfp(IntPtr stream);

    [DllImport(PocketSphinx, CallingConvention = CallingConvention.Cdecl)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern IntPtr ps_init(IntPtr config);

    [DllImport(PocketSphinx, CallingConvention = CallingConvention.Cdecl)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int ps_free(IntPtr ps);

    [DllImport(PocketSphinx, CallingConvention = CallingConvention.Cdecl)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int ps_start_utt(IntPtr ps);

    [DllImport(PocketSphinx, CallingConvention = CallingConvention.Cdecl)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int ps_process_raw(IntPtr ps, short[] data, nuint samples, int noSearch, int fullUtterance);

    [DllImport(PocketSphinx, CallingConvention = CallingConvention.Cdecl)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int ps_end_utt(IntPtr ps);

    [DllImport(PocketSphinx, CallingConvention = CallingConvention.Cdecl)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern IntPtr ps_get_hyp(IntPtr ps, out int score);
}
