using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace MupGen.Generators;

/// <summary>The one helper the parser, the analyzers and the code fixes use to look through conversions and
/// parentheses (<c>(long)width</c>, <c>(IEnumerable&lt;Parameter&gt;)m.parameters()</c>) to the value beneath.</summary>
internal static class OperationExtensions
{
    /// <summary>The operand under every implicit or explicit conversion and parenthesis around <paramref name="operation"/>.</summary>
    public static IOperation WithoutConversions(this IOperation operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IConversionOperation conversion:
                    operation = conversion.Operand;
                    break;
                case IParenthesizedOperation parenthesized:
                    operation = parenthesized.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }
}
