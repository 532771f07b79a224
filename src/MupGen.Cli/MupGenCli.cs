using System;
using System.IO;

namespace MupGen.Cli;

/// <summary>The entry point of the <c>mupgen</c> tool, callable from tests with writers instead of the console.</summary>
public static class MupGenCli
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit code of a command line that cannot run (the message names the option).</summary>
    public const int UsageError = 2;

    /// <summary>The top-level help text.</summary>
    public const string Help =
        "mupgen - scaling-law planning for MupGen\n" +
        "\n" +
        "usage:\n" +
        "  mupgen plan --flops <C> [--tokens <D>] [--batch <tokens>] [--noise-scale <tokens>] [--law chinchilla|epoch]\n" +
        "  mupgen help\n" +
        "\n" +
        "Run `mupgen plan --help` for the options. Formulas and sources: docs/SCALING.md.\n";

    /// <summary>Runs the tool.</summary>
    /// <param name="args">The command line without the program name.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where errors go.</param>
    /// <returns>The exit code: <see cref="Success"/> or <see cref="UsageError"/>.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            stdout.Write(Help);
            return args.Length == 0 ? UsageError : Success;
        }
        try
        {
            switch (args[0])
            {
                case "plan":
                    var rest = args[1..];
                    if (Array.Exists(rest, a => a is "--help" or "-h"))
                    {
                        stdout.Write(PlanCommand.Help);
                        return Success;
                    }
                    stdout.Write(PlanCommand.Run(PlanCommand.Parse(rest)).Format());
                    return Success;
                default:
                    throw new CliUsageException(null, $"unknown command '{args[0]}' (commands: plan, help).");
            }
        }
        catch (CliUsageException e)
        {
            stderr.WriteLine("mupgen: " + e.Message);
            return UsageError;
        }
    }
}
