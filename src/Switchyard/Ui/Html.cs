using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace Switchyard.Ui;

/// <summary>
/// Builds an HTML page. Text is written through an interpolated string handler that HTML-encodes every
/// hole, so a value (a prompt, a key name, an upstream message) can only ever become text; markup that is
/// meant as markup is passed as <see cref="HtmlRaw"/>, which only this folder's own code creates.
/// </summary>
internal sealed class Html
{
    private readonly StringBuilder _text = new(8192);

    /// <summary>Appends the literal parts as written and every value HTML-encoded.</summary>
    public Html Add([InterpolatedStringHandlerArgument("")] ref HtmlHandler html)
    {
        _ = html;
        return this;
    }

    /// <summary>Appends one value as text.</summary>
    public Html Text(string? value)
    {
        HtmlHandler.Encode(_text, value);
        return this;
    }

    /// <summary>Appends markup made by this folder's code.</summary>
    public Html Raw(HtmlRaw markup)
    {
        _text.Append(markup.Value);
        return this;
    }

    /// <summary>The page so far.</summary>
    public override string ToString() => _text.ToString();

    /// <summary>Markup from one interpolated string, every hole encoded.</summary>
    public static HtmlRaw Of(ref HtmlHandler html) => new(html.Detach());

    internal StringBuilder Builder => _text;
}

/// <summary>Markup that is not encoded again: made only by <see cref="Html"/> and the dashboard's renderers.</summary>
/// <param name="Value">The markup.</param>
internal readonly record struct HtmlRaw(string Value)
{
    public static HtmlRaw Empty => new(string.Empty);

    public static HtmlRaw Join(IEnumerable<HtmlRaw> parts) => new(string.Concat(parts.Select(static p => p.Value)));

    public override string ToString() => Value;
}

/// <summary>The interpolated string handler of <see cref="Html"/>: literals as written, values encoded.</summary>
[InterpolatedStringHandler]
internal ref struct HtmlHandler
{
    private readonly StringBuilder _text;

    public HtmlHandler(int literalLength, int formattedCount, Html html)
    {
        _ = formattedCount;
        _text = html.Builder;
        _text.EnsureCapacity(_text.Length + literalLength);
    }

    public HtmlHandler(int literalLength, int formattedCount)
    {
        _ = formattedCount;
        _text = new StringBuilder(literalLength + 64);
    }

    public readonly void AppendLiteral(string literal) => _text.Append(literal);

    public readonly void AppendFormatted(HtmlRaw markup) => _text.Append(markup.Value);

    public readonly void AppendFormatted(string? value) => Encode(_text, value);

    public readonly void AppendFormatted<T>(T value) => Encode(_text, value is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : value?.ToString());

    public readonly void AppendFormatted<T>(T value, string? format)
        where T : IFormattable => Encode(_text, value.ToString(format, CultureInfo.InvariantCulture));

    internal readonly string Detach() => _text.ToString();

    internal static void Encode(StringBuilder text, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            text.Append(HtmlEncoder.Default.Encode(value));
        }
    }
}
