using ElectrostaticPruning.Samples.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ElectrostaticPruning.Samples.Cli;

/// <summary>The command line: the default comparison job and one command per step of the method.</summary>
internal static class SamplesApp
{
    /// <summary>How the README invokes the samples.</summary>
    public const string ApplicationName = "dotnet run -c Release --project src/Samples --";

    /// <summary>Parses <paramref name="args"/>, runs the command and returns its exit code (1 with a one-line error on failure).</summary>
    public static int Run(IReadOnlyList<string> args, IAnsiConsole output, IAnsiConsole error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var verbose = args.Contains("--verbose", StringComparer.Ordinal);
        var registrar = new TypeRegistrar();
        registrar.RegisterInstance(typeof(IAnsiConsole), output);
        var app = new CommandApp<CompareCommand>(registrar);
        app.WithDescription(
            "Electrostatic-force regularization for structured pruning (ML.NET + TorchSharp). Without a command: train a small CNN " +
            "plain, with L1-norm, with the paper's electrostatic force and with the library's default (folded force) on the embedded Fashion-MNIST subset, prune each at ratios 0 ... 0.9 " +
            "without fine-tuning, and write the results table and the paper's Figures 2 and 3. Environment: ELECTROSTATIC_PRUNING_LIBTORCH=<folder> " +
            "runs on the libtorch 2.10 in <folder>, e.g. a PyTorch install's torch/lib for CUDA (in a build made with -p:BundleLibTorch=false, " +
            "README \"GPU\"); ELECTROSTATIC_PRUNING_CONV_MODE forces the convolution kernels.");
        app.Configure(config =>
        {
            config.SetApplicationName(ApplicationName);
            config.UseStrictParsing();
            config.ConfigureConsole(output);
            config.SetExceptionHandler((exception, _) => ErrorReporter.Report(exception, error, verbose));
            config.CancellationExitCode(130);

            config.AddCommand<CompareCommand>("compare")
                .WithDescription("Train plain / L1-norm / the paper's electrostatic force / the library's default (folded force), prune each at a sweep of ratios without fine-tuning, table + Figures 2 and 3 (the default job). " +
                    "Defaults: embedded Fashion-MNIST subset, SmallCnn, 4 epochs, batch 128, lr 0.02 divided by 10 for the last quarter, SGD(0.9, 0), alpha_e 1e-9 (the paper's force), L1 rate 1e-2, seed 1.")
                .WithExample("compare")
                .WithExample("compare", "--data", "/usr/share/datasets/fashion-mnist", "--epochs", "15", "--finetune-speedup", "2", "--finetune-epochs", "5", "-o", "out/full");
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train one model through the ML.NET ElectrostaticCnn trainer, prune it by its plan, optionally fine-tune it, and save it. " +
                    "Every flag sets one trainer option; without flags it trains what ElectrostaticCnn() trains (the library's defaults: SmallCnn, 10 epochs, P1, the folded force at 1e-11, plan 'sweep 0.5 rank folded compensate').")
                .WithExample("train", "--data", "data/fashion-mnist", "--epochs", "5", "--lr", "0:0.02,4:0.002")
                .WithExample("train", "--data", "data/fashion-mnist", "--regularizer", "electrostatic", "--alpha", "1e-11", "--plan", "0.5", "--checkpoint", "out/train.ckpt");
            config.AddCommand<PruneCommand>("prune")
                .WithDescription("Prune a trained model by a plan, without retraining; evaluate it when --data is given.")
                .WithExample("prune", "--model", "out/model.zip", "--plan", "0.6", "--data", "data/fashion-mnist");
            config.AddCommand<EvaluateCommand>("evaluate")
                .WithDescription("Evaluate a saved model on the test split: accuracy, log-loss, confusion matrix.")
                .WithExample("evaluate", "--model", "out/pruned.zip", "--data", "data/fashion-mnist");
            config.AddCommand<SweepCommand>("sweep")
                .WithDescription("Prune saved models at a list of ratios without fine-tuning: results table and Figure 2.")
                .WithExample("sweep", "--model", "plain=out/plain.zip", "--model", "electrostatic=out/model.zip", "--data", "data/fashion-mnist");
            config.AddCommand<FinetuneCommand>("finetune")
                .WithDescription("Prune a trained model (by its plan or --plan) and fine-tune it (FineTune); defaults: the library's, Table 1's ft settings SGD(0.9, 5e-4), P2, for 2 epochs.")
                .WithExample("finetune", "--model", "out/model.zip", "--plan", "0.6", "--epochs", "3", "--data", "data/fashion-mnist");
            config.AddCommand<SummaryCommand>("summary")
                .WithDescription("Architecture, conv layers, params, FLOPs and MACs; with --plan also the kept filters and the speedup.")
                .WithExample("summary", "--architecture", "ResNet56", "--plan", "\"[0,0.52,0.52,0.52,0]\"")
                .WithExample("summary", "--model", "out/model.zip");
            config.AddCommand<ExportCommand>("export")
                .WithDescription("Write a saved model as ONNX (the pruned network with BatchNorm folded, opset 13+, class names as metadata) for ONNX Runtime.")
                .WithExample("export", "--model", "out/model.zip", "--onnx", "out/model.onnx");
            config.AddCommand<ExperimentCommand>("experiment")
                .WithDescription("Run one of the paper's experiments (Table 1 settings, Table 2 plans) or a Figure 2 protocol study; --dry-run shows settings and speedups.")
                .WithExample("experiment")
                .WithExample("experiment", "resnet56-cifar10", "--dry-run")
                .WithExample("experiment", "resnet56-cifar10", "--data", "~/cifar-10-batches-bin", "--epochs", "2", "--finetune-epochs", "1")
                .WithExample("experiment", "figure2-fashion-small", "-o", "out/study");
            config.AddCommand<ExampleCommand>("example")
                .WithDescription("Run one of the short example programs of src/Samples/Examples on the embedded data; without a name, list them.")
                .WithExample("example")
                .WithExample("example", "image-folder");
        });

        try
        {
            return app.Run(args);
        }
        catch (Exception exception)
        {
            // Spectre hands most failures to the handler above; anything thrown while it configures itself lands here.
            return ErrorReporter.Report(exception, error, verbose);
        }
    }
}
