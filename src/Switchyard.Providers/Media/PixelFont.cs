using SkiaSharp;

namespace Switchyard.Providers.Media;

/// <summary>
/// A 5x7 pixel font drawn as rectangles. Captions never depend on installed fonts or fontconfig,
/// so rendering cannot fail on a bare machine and the same prompt gives the same bytes everywhere.
/// </summary>
internal static class PixelFont
{
    public const int GlyphWidth = 5;
    public const int GlyphHeight = 7;

    // Advance per character, in font pixels: the glyph plus one column of spacing.
    public const int Advance = GlyphWidth + 1;

    private static readonly Dictionary<char, string> Glyphs = new()
    {
        ['A'] = "01110100011000111111100011000110001",
        ['B'] = "11110100011000111110100011000111110",
        ['C'] = "01110100011000010000100001000101110",
        ['D'] = "11110100011000110001100011000111110",
        ['E'] = "11111100001000011110100001000011111",
        ['F'] = "11111100001000011110100001000010000",
        ['G'] = "01110100011000010111100011000101111",
        ['H'] = "10001100011000111111100011000110001",
        ['I'] = "01110001000010000100001000010001110",
        ['J'] = "00111000100001000010000101001001100",
        ['K'] = "10001100101010011000101001001010001",
        ['L'] = "10000100001000010000100001000011111",
        ['M'] = "10001110111010110101100011000110001",
        ['N'] = "10001100011100110101100111000110001",
        ['O'] = "01110100011000110001100011000101110",
        ['P'] = "11110100011000111110100001000010000",
        ['Q'] = "01110100011000110001101011001001101",
        ['R'] = "11110100011000111110101001001010001",
        ['S'] = "01111100001000001110000010000111110",
        ['T'] = "11111001000010000100001000010000100",
        ['U'] = "10001100011000110001100011000101110",
        ['V'] = "10001100011000110001100010101000100",
        ['W'] = "10001100011000110101101011010101010",
        ['X'] = "10001100010101000100010101000110001",
        ['Y'] = "10001100011000101010001000010000100",
        ['Z'] = "11111000010001000100010001000011111",
        ['0'] = "01110100011001110101110011000101110",
        ['1'] = "00100011000010000100001000010001110",
        ['2'] = "01110100010000100010001000100011111",
        ['3'] = "11111000100010000010000011000101110",
        ['4'] = "00010001100101010010111110001000010",
        ['5'] = "11111100001111000001000011000101110",
        ['6'] = "00110010001000011110100011000101110",
        ['7'] = "11111000010001000100010000100001000",
        ['8'] = "01110100011000101110100011000101110",
        ['9'] = "01110100011000101111000010001001100",
        ['.'] = "00000000000000000000000000110001100",
        [','] = "00000000000000000000011000010001000",
        ['-'] = "00000000000000011111000000000000000",
        [':'] = "00000011000110000000011000110000000",
        ['\''] = "00100001000100000000000000000000000",
        ['!'] = "00100001000010000100001000000000100",
        ['?'] = "01110100010000100010001000000000100",
        ['/'] = "00000000010001000100010001000000000",
        [' '] = "00000000000000000000000000000000000",
    };

    /// <summary>The width in device pixels of <paramref name="text"/> at <paramref name="scale"/>.</summary>
    public static int MeasureWidth(string text, int scale) => text.Length == 0 ? 0 : ((text.Length * Advance) - 1) * scale;

    /// <summary>Draws <paramref name="text"/> with its top-left corner at (x, y); unknown characters show as '?'.</summary>
    public static void Draw(SKCanvas canvas, string text, float x, float y, int scale, SKPaint paint)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var glyph = Glyphs.GetValueOrDefault(char.ToUpperInvariant(text[i])) ?? Glyphs['?'];
            var left = x + (i * Advance * scale);
            for (var row = 0; row < GlyphHeight; row++)
            {
                for (var column = 0; column < GlyphWidth; column++)
                {
                    if (glyph[(row * GlyphWidth) + column] == '1')
                    {
                        canvas.DrawRect(left + (column * scale), y + (row * scale), scale, scale, paint);
                    }
                }
            }
        }
    }

    /// <summary>Cuts <paramref name="text"/> to what fits in <paramref name="width"/> pixels, ending with "..." when cut.</summary>
    public static string Fit(string text, int width, int scale)
    {
        var max = Math.Max(0, (width / scale + 1) / Advance);
        if (text.Length <= max)
        {
            return text;
        }

        return max <= 3 ? text[..max] : string.Concat(text.AsSpan(0, max - 3), "...");
    }
}
