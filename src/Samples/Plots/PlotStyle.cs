using OxyPlot;

namespace ElectrostaticPruning.Samples.Plots;

/// <summary>Shared look of every figure: fonts installed on Linux, readable sizes, one fixed colour per method.</summary>
internal static class PlotStyle
{
    /// <summary>DejaVu Sans ships with most Linux distributions; Skia falls back to the system default otherwise.</summary>
    public const string Font = "DejaVu Sans";

    /// <summary>Default figure width in pixels.</summary>
    public const int Width = 1000;

    /// <summary>Default figure height in pixels.</summary>
    public const int Height = 600;

    private static readonly OxyColor[] MethodColors =
    [
        OxyColor.FromRgb(0x55, 0x55, 0x55), // plain: neutral grey
        OxyColor.FromRgb(0x1f, 0x77, 0xb4), // L1-norm: blue
        OxyColor.FromRgb(0xd6, 0x27, 0x28), // electrostatic force: red
        OxyColor.FromRgb(0x2c, 0xa0, 0x2c),
        OxyColor.FromRgb(0x94, 0x67, 0xbd),
        OxyColor.FromRgb(0xff, 0x7f, 0x0e),
    ];

    private static readonly MarkerType[] MethodMarkers =
        [MarkerType.Circle, MarkerType.Square, MarkerType.Triangle, MarkerType.Diamond, MarkerType.Cross, MarkerType.Star];

    /// <summary>A plot model with the shared fonts, white background and padding.</summary>
    public static PlotModel NewModel(string title, string? subtitle = null) => new()
    {
        Title = title,
        Subtitle = subtitle,
        DefaultFont = Font,
        DefaultFontSize = 14,
        TitleFontSize = 18,
        SubtitleFontSize = 13,
        Background = OxyColors.White,
        PlotAreaBorderColor = OxyColor.FromRgb(0x99, 0x99, 0x99),
        Padding = new OxyThickness(12),
    };

    /// <summary>The colour of the <paramref name="index"/>-th method (plain, L1, electrostatic, ...).</summary>
    public static OxyColor ColorFor(int index) => MethodColors[index % MethodColors.Length];

    /// <summary>The marker of the <paramref name="index"/>-th method.</summary>
    public static MarkerType MarkerFor(int index) => MethodMarkers[index % MethodMarkers.Length];
}
