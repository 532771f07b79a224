using System;
using MupGen.Cli;

return MupGenCli.Run(args, Console.Out, Console.Error);
