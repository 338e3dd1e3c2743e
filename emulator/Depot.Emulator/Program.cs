using Depot.Emulator;
using Depot.Emulator.Domain.Errors;

WebApplication app;
try
{
    app = EmulatorApp.Build(args);
}
catch (DepotException e)
{
    Console.Error.WriteLine("depot-emulator: " + e.Message);
    return 2;
}

app.Lifetime.ApplicationStarted.Register(() => Banner.Print(app, Console.Out));
await app.RunAsync();
return 0;

/// <summary>Lets tests reach the entry assembly.</summary>
public partial class Program;
