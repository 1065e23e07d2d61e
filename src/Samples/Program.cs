using ElectrostaticPruning.Samples.Cli;

return SamplesApp.Run(args, Consoles.CreateOutput(), Consoles.CreateError());
