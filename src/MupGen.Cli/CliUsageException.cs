using System;

namespace MupGen.Cli;

/// <summary>A command line the tool cannot run: a missing, unknown or invalid option. The message names the option;
/// the tool prints it with the command's usage and exits with code 2.</summary>
public sealed class CliUsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="option">The option at fault (e.g. <c>--flops</c>), or null when no single option is.</param>
    /// <param name="message">What is wrong and, where it helps, what to write instead.</param>
    public CliUsageException(string? option, string message) : base(message) => Option = option;

    /// <summary>The option at fault, or null.</summary>
    public string? Option { get; }
}
