using System.Text;

namespace MupGen.Generators;

/// <summary>A minimal indented text writer. Always writes "\n" so output is byte-identical on every OS.</summary>
internal sealed class IndentedWriter
{
    // A generated file is a few kilobytes: start there rather than grow chunk by chunk.
    private readonly StringBuilder _builder = new(8192);
    private static readonly string[] Indents = { "", "    ", "        ", "            ", "                ", "                    ", "                        " };
    private int _indent;

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public IndentedWriter Line(string text = "")
    {
        if (text.Length > 0)
        {
            if (_indent < Indents.Length)
                _builder.Append(Indents[_indent]);
            else
                _builder.Append(' ', _indent * 4);
            _builder.Append(text);
        }
        _builder.Append('\n');
        return this;
    }

    public void Open(string header)
    {
        Line(header);
        Line("{");
        Indent();
    }

    public void Close(string suffix = "")
    {
        Unindent();
        Line("}" + suffix);
    }

    public override string ToString() => _builder.ToString();
}
