using Depot.Emulator;
using Depot.Emulator.Domain.Errors;

switch (args)
{
    case ["--help"] or ["-h"]:
        Console.Out.Write(CommandLine.Help());
        return 0;
    case ["--version"]:
        Console.Out.WriteLine(CommandLine.Version);
        return 0;
    case ["health"]:
        return await CommandLine.HealthAsync(Environment.GetEnvironmentVariable, Console.Out);
}

WebApplication app;
try
{
    app = EmulatorApp.Build(args);
}
catch (DepotException e)
{
    Console.Error.WriteLine("depot-emulator: " + e.Message);
    Console.Error.WriteLine("See depot-emulator --help.");
    return 2;
}

app.Lifetime.ApplicationStarted.Register(() => Banner.Print(app, Console.Out));
await app.RunAsync();
return 0;

/// <summary>Lets tests reach the entry assembly.</summary>
public partial class Program;
