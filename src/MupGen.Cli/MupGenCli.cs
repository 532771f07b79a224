using System;
using System.CommandLine;
using System.Collections.Generic;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.IO;
using System.Linq;

namespace MupGen.Cli;

/// <summary>The entry point of the <c>mupgen</c> tool, callable from tests with writers instead of the console.
/// Parsing, help and errors are System.CommandLine's; each command lives in its own file and exposes
/// <c>static Command Create()</c>, and <see cref="CreateRootCommand"/> lists them.</summary>
public static class MupGenCli
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit code of a command line that cannot run (the message names the option, the usage follows).</summary>
    public const int UsageError = 2;

    /// <summary>Width of help text, fixed so that output does not depend on the terminal.</summary>
    public const int HelpWidth = 110;

    /// <summary>The root command with every subcommand. Add a command here with one line.</summary>
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand(
            "mupgen - scaling-law planning (docs/SCALING.md) and transfer experiments (docs/SWEEPS.md) for MupGen")
        {
            HelpName = "mupgen",
        };
        root.Add(PlanCommand.Create());
        root.Add(TransferCommand.Create());
        root.Add(ShapeCommand.Create());
        root.Add(CoordCheckCommand.Create());
        root.Add(SweepCommand.Create());
        root.Add(ReportCommand.Create());

        foreach (var help in root.Options.OfType<HelpOption>())
            if (help.Action is HelpAction action) action.MaxWidth = HelpWidth;
        return root;
    }

    /// <summary>Runs the tool.</summary>
    /// <param name="args">The command line without the program name.</param>
    /// <param name="stdout">Where results and requested help go.</param>
    /// <param name="stderr">Where errors go, each as <c>mupgen: message</c>, followed by the usage of the command.</param>
    /// <returns>The exit code: <see cref="Success"/>, <see cref="UsageError"/>, or what the command returns.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var root = CreateRootCommand();
        var result = root.Parse(args);
        if (result.Action is ParseErrorAction || (result.Errors.Count > 0 && result.Action is not HelpAction))
            return Usage(result, result.Errors.Select(e => e.Message), stderr);
        try
        {
            return result.Invoke(new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (CliUsageException e)
        {
            return Usage(result, new[] { e.Message }, stderr);
        }
    }

    /// <summary>Writes the help of the command at <paramref name="path"/> (e.g. <c>["plan"]</c>, empty for the
    /// root) to <paramref name="writer"/>, exactly as <c>mupgen PATH --help</c> prints it.</summary>
    public static void WriteHelp(IReadOnlyList<string> path, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(writer);
        CreateRootCommand().Parse(path.Append("--help").ToArray())
            .Invoke(new InvocationConfiguration { Output = writer, Error = writer, EnableDefaultExceptionHandler = false });
    }

    private static int Usage(ParseResult result, IEnumerable<string> messages, TextWriter stderr)
    {
        foreach (var message in messages)
            foreach (var line in message.Split('\n'))
                stderr.Write("mupgen: " + line.TrimEnd('\r') + "\n");
        stderr.Write("\n");
        var path = new List<string>();
        for (SymbolResult? r = result.CommandResult; r is CommandResult c && c.Parent is not null; r = c.Parent)
            path.Insert(0, c.Command.Name);
        WriteHelp(path, stderr);
        return UsageError;
    }
}
