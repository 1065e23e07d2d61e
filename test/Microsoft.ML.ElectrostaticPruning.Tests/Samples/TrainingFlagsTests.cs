using ElectrostaticPruning.Samples.Cli;
using ElectrostaticPruning.Samples.Cli.Settings;
using ElectrostaticPruning.Samples.Jobs;
using ElectrostaticPruning.Samples.Reporting;

namespace Microsoft.ML.ElectrostaticPruning.Tests.Samples;

/// <summary>The training flags map onto ElectrostaticCnnTrainer.Options and the regularizer options, and nothing else.</summary>
public sealed class TrainingFlagsTests
{
    [Fact]
    public void TrainWithoutFlagsTrainsWhatTheSimpleCatalogOverloadTrains()
    {
        var cli = new TrainCommandSettings { Data = "x" }.ToOptions();
        var library = new MLContext(seed: 1).MulticlassClassification.Trainers.ElectrostaticCnn().TrainerOptions;

        Assert.Equal(library.Describe(), cli.Describe());
        Assert.Equal(library.ResolvePenaltyStartEpoch(warmStart: false), cli.ResolvePenaltyStartEpoch(warmStart: false));
        Assert.Null(cli.CheckpointPath);
        Assert.Equal(1, cli.Seed);
    }

    [Fact]
    public void EachTrainingFlagSetsItsOption()
    {
        var cli = new TrainCommandSettings
        {
            Data = "x",
            Architecture = "resnet-20",
            Epochs = 3,
            BatchSize = 32,
            LearningRate = "0:0.05,2:0.005",
            Momentum = 0.8,
            WeightDecay = 1e-4,
            Augment = true,
            Plan = "[0, 0.3, 0.3, 0.3, 0] rank folded",
            FinetuneEpochs = 2,
            Checkpoint = "out/run.ckpt",
            Seed = 7,
            Device = "cpu",
        }.ToOptions();
        var library = new MLContext().MulticlassClassification.Trainers.ElectrostaticCnn(
            architecture: CnnArchitecture.ResNet20, epochs: 3, pruningPlan: "[0, 0.3, 0.3, 0.3, 0] rank folded", batchSize: 32, learningRateSchedule: "0:0.05,2:0.005", fineTuneEpochs: 2).TrainerOptions;
        library.Momentum = 0.8;
        library.WeightDecay = 1e-4;
        library.Augment = true;
        library.Device = TrainingDevice.Cpu;

        Assert.Equal(library.Describe(), cli.Describe());
        Assert.Equal(("out/run.ckpt", 7), (cli.CheckpointPath, cli.Seed));
    }

    [Fact]
    public void TheArchitectureOfAnInitialModelIsTheDefault()
    {
        Assert.Equal(CnnArchitecture.Vgg11, new TrainCommandSettings { Data = "x" }.ToOptions(CnnArchitecture.Vgg11).Architecture);
        Assert.Equal(CnnArchitecture.ResNet20, new TrainCommandSettings { Data = "x", Architecture = "ResNet20" }.ToOptions(CnnArchitecture.Vgg11).Architecture);
    }

    [Fact]
    public void FoldedIsTheDefaultAndTakesItsKnobs()
    {
        var regularizer = Assert.IsType<FoldedForceRegularizer.Options>(
            new TrainCommandSettings { Data = "x", Alpha = 3e-12, CoulombConstant = 1e9, Untargeted = true, PenaltyStart = 1 }.ToOptions().Regularizer);

        Assert.Equal((3e-12, 1e9, false, 1), (regularizer.ForceRate, regularizer.CoulombConstant, regularizer.TargetPrunedFilters, regularizer.StartEpoch));
    }

    [Fact]
    public void ElectrostaticTakesItsKnobs()
    {
        var regularizer = Assert.IsType<ElectrostaticForceRegularizer.Options>(
            new TrainCommandSettings { Data = "x", Regularizer = "electrostatic", Alpha = 1e-12, CoulombConstant = 2e9, GradientMode = "exact", PenaltyStart = 2 }.ToOptions().Regularizer);

        Assert.Equal((1e-12, 2e9, ForceGradientMode.Exact, 2), (regularizer.ForceRate, regularizer.CoulombConstant, regularizer.GradientMode, regularizer.StartEpoch));
    }

    [Fact]
    public void L1AndSlimmingTakeTheirRates()
    {
        var l1 = Assert.IsType<L1Regularizer.Options>(new TrainCommandSettings { Data = "x", Regularizer = "l1", L1Rate = 0.05 }.ToOptions().Regularizer);
        var slimming = Assert.IsType<NetworkSlimmingRegularizer.Options>(new TrainCommandSettings { Data = "x", Regularizer = "SLIMMING", SlimmingRate = 3e-2 }.ToOptions().Regularizer);

        Assert.Equal(0.05, l1.Rate);
        Assert.Equal(3e-2, slimming.Rate);
        Assert.Null(new TrainCommandSettings { Data = "x", Regularizer = "none" }.ToOptions().Regularizer);
    }

    [Fact]
    public void UnsetKnobsKeepTheLibrarysDefaults()
    {
        var folded = Assert.IsType<FoldedForceRegularizer.Options>(new TrainCommandSettings { Data = "x", Regularizer = "folded" }.ToOptions().Regularizer);

        Assert.Equal(new FoldedForceRegularizer.Options().ToString(), folded.ToString());
        Assert.Null(folded.StartEpoch);
    }

    [Theory]
    [InlineData("none", "--alpha")]
    [InlineData("l1", "--coulomb")]
    [InlineData("folded", "--gradient-mode")]
    [InlineData("electrostatic", "--untargeted")]
    [InlineData("slimming", "--l1-rate")]
    [InlineData("folded", "--slimming-rate")]
    [InlineData("none", "--penalty-start")]
    public void AKnobForAKindWithoutItIsAnErrorNamingTheFlagAndTheKinds(string kind, string flag)
    {
        var settings = new TrainCommandSettings { Data = "x", Regularizer = kind };
        switch (flag)
        {
            case "--alpha": settings.Alpha = 1e-11; break;
            case "--coulomb": settings.CoulombConstant = 1e9; break;
            case "--gradient-mode": settings.GradientMode = "exact"; break;
            case "--untargeted": settings.Untargeted = true; break;
            case "--l1-rate": settings.L1Rate = 1e-2; break;
            case "--slimming-rate": settings.SlimmingRate = 1e-4; break;
            default: settings.PenaltyStart = 1; break;
        }

        var error = Assert.Throws<ArgumentException>(() => settings.ToOptions());

        Assert.StartsWith(flag, error.Message, StringComparison.Ordinal);
        Assert.Contains($"here is {kind}", error.Message, StringComparison.Ordinal);
        Assert.False(settings.Validate().Successful);
    }

    [Theory]
    [InlineData("folded")]
    [InlineData("electrostatic")]
    [InlineData("l1")]
    [InlineData("slimming")]
    public void EveryKindIsLabelledWithTheLibrarysNameForIt(string kind)
    {
        var regularizer = Regularizers.Create(kind)!;

        Assert.Equal(regularizer.Name, Regularizers.Label(regularizer));
        Assert.Equal(kind, Regularizers.KindOf(regularizer));
        Assert.StartsWith(regularizer.Name + " ", Regularizers.LabelWithRate(regularizer), StringComparison.Ordinal);
    }

    [Fact]
    public void PlainTrainingIsLabelledPlain()
    {
        Assert.Equal("plain", Regularizers.Label(Regularizers.Create("none")));
        Assert.Equal("none", Regularizers.KindOf(null));
    }

    [Theory]
    [InlineData("plain", null, null)]
    [InlineData("l1:1e-3", typeof(L1Regularizer.Options), "L1-norm 1e-3")]
    [InlineData("slimming", typeof(NetworkSlimmingRegularizer.Options), "network slimming 1e-4")]
    [InlineData("ef:1e-14", typeof(ElectrostaticForceRegularizer.Options), "electrostatic force 1e-14")]
    [InlineData("electrostatic", typeof(ElectrostaticForceRegularizer.Options), "electrostatic force 1e-11")]
    [InlineData("folded:5e-12", typeof(FoldedForceRegularizer.Options), "folded force 5e-12")]
    [InlineData("ef-targeted:1e-11", typeof(FoldedForceRegularizer.Options), "folded force 1e-11")]
    [InlineData("ef-folded:3e-12", typeof(FoldedForceRegularizer.Options), "folded force 3e-12, every filter")]
    [InlineData("folded-untargeted", typeof(FoldedForceRegularizer.Options), "folded force 1e-12, every filter")]
    public void MethodEntriesParseToTheirKindAndTheLabelShowsTheSettings(string text, Type? type, string? label)
    {
        var method = Regularizers.ParseMethod(text);

        Assert.Equal(type, method?.GetType());
        Assert.Equal(label ?? "plain", Regularizers.LabelWithRate(method));
    }

    [Theory]
    [InlineData("0.2-0.6", 0.2, 0.6)]
    [InlineData("none", null, null)]
    public void AnyRatioInTheComparisonChangesTheDefaultModelOnlyAndNoneTurnsItOff(string flag, double? min, double? max)
    {
        var models = CompareJob.Models(new CompareCommandSettings { AnyRatio = flag });

        Assert.Equal((min, max), (models[4].Options.AnyRatio?.MinRatio, models[4].Options.AnyRatio?.MaxRatio));
        Assert.All(models.Take(4), m => Assert.Null(m.Options.AnyRatio));
    }

    [Fact]
    public void SubNetworksSetsThePassesPerStepOfTheDefaultRangeOrTheGivenOneAndLeavesTheRestOfIt()
    {
        var train = new TrainCommandSettings { Data = "x", SubNetworks = 2 }.ToOptions();
        var ranged = new TrainCommandSettings { Data = "x", AnyRatio = "0.1-0.8", SubNetworks = 3 }.ToOptions();
        var compare = CompareJob.Models(new CompareCommandSettings { SubNetworks = 2 });

        Assert.Equal((0.1, 0.7, 2, 0.5), (train.AnyRatio!.MinRatio, train.AnyRatio.MaxRatio, train.AnyRatio.SubNetworks, train.AnyRatio.DistillationWeight));
        Assert.Equal((0.1, 0.8, 3), (ranged.AnyRatio!.MinRatio, ranged.AnyRatio.MaxRatio, ranged.AnyRatio.SubNetworks));
        Assert.Equal(1, new ElectrostaticCnnTrainer.Options().AnyRatio!.SubNetworks);
        Assert.Equal(2, compare[4].Options.AnyRatio!.SubNetworks);
        Assert.All(compare.Take(4), m => Assert.Null(m.Options.AnyRatio));
    }

    [Fact]
    public void SubNetworkWeightSetsTheWeightOfTheDefaultRangeAndKeepsItsOtherSettings()
    {
        var train = new TrainCommandSettings { Data = "x", SubNetworkWeight = 0.5 }.ToOptions();
        var both = new TrainCommandSettings { Data = "x", AnyRatio = "0.1-0.8", SubNetworks = 2, SubNetworkWeight = 0.25 }.ToOptions();

        Assert.Equal((0.1, 0.7, 1, 0.5, 0.5), (train.AnyRatio!.MinRatio, train.AnyRatio.MaxRatio, train.AnyRatio.SubNetworks, train.AnyRatio.DistillationWeight, train.AnyRatio.SubNetworkWeight));
        Assert.Equal((0.8, 2, 0.25), (both.AnyRatio!.MaxRatio, both.AnyRatio.SubNetworks, both.AnyRatio.SubNetworkWeight));
        Assert.Equal(1, new ElectrostaticCnnTrainer.Options().AnyRatio!.SubNetworkWeight);
        Assert.Contains("1 sub-network per step weighted 0.5, distillation 0.5", train.AnyRatio.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SubNetworkWeightWithoutAnyRatioTrainingIsAnErrorNamingTheFlag()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainCommandSettings { Data = "x", AnyRatio = "none", SubNetworkWeight = 0.5 }.ToOptions());

        Assert.Equal("--sub-network-weight", error.ParamName);
        Assert.Contains("--any-ratio", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SubNetworksWithoutAnyRatioTrainingIsAnErrorNamingTheFlag()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainCommandSettings { Data = "x", AnyRatio = "none", SubNetworks = 2 }.ToOptions());

        Assert.Equal("--sub-networks", error.ParamName);
        Assert.Contains("--any-ratio", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheComparisonHeaderGivesEachModelItsOwnPlanAndAnyRatioTrainingAndTheSharedLineNeither()
    {
        var models = CompareJob.Models(new CompareCommandSettings());

        string shared = OptionsText.Training(models[0].Options, shared: true);
        Assert.DoesNotContain("plan", shared, StringComparison.Ordinal);
        Assert.DoesNotContain("any-ratio", shared, StringComparison.Ordinal);
        Assert.Equal("plain: plain (no regularizer), plan sweep 0.5", OptionsText.Method(models[0].Label, models[0].Options));
        Assert.EndsWith(
            ", plan sweep 0.5 rank folded compensate, " + new AnyRatioTrainingOptions(),
            OptionsText.Method(models[4].Label, models[4].Options),
            StringComparison.Ordinal);
        Assert.Contains(", plan sweep 0.5 rank folded compensate, any-ratio sandwich training 0.1-0.7", OptionsText.Training(new ElectrostaticCnnTrainer.Options()), StringComparison.Ordinal);
    }

    [Fact]
    public void TheComparisonTrainsTheLibraryDefaultBesideFourBaselinesWithTheirOwnLabels()
    {
        var models = CompareJob.Models(new CompareCommandSettings());
        var library = new ElectrostaticCnnTrainer.Options();

        Assert.Equal(["plain", "L1-norm", "network slimming", "electrostatic force", CompareJob.DefaultLabel], models.Select(m => m.Label));
        Assert.Equal(
            [null, typeof(L1Regularizer.Options), typeof(NetworkSlimmingRegularizer.Options), typeof(ElectrostaticForceRegularizer.Options), library.Regularizer!.GetType()],
            models.Select(m => m.Options.Regularizer?.GetType()));
        Assert.Equal(CompareJob.DefaultAlpha, ((ElectrostaticForceRegularizer.Options)models[3].Options.Regularizer!).ForceRate);
        Assert.Equal(library.Regularizer.ToString(), models[4].Options.Regularizer!.ToString());
        Assert.Equal(library.AnyRatio?.ToString(), models[4].Options.AnyRatio?.ToString());
        Assert.All(models.Take(4), m => Assert.Null(m.Options.AnyRatio));
        Assert.All(models, m => Assert.Equal(models[0].Options.Describe().Split(", regularizer")[0], m.Options.Describe().Split(", regularizer")[0]));
    }

    [Fact]
    public void TheComparisonsFlagsTuneThePapersForceAndTheBaselinesButNotTheLibraryDefault()
    {
        var models = CompareJob.Models(new CompareCommandSettings { Alpha = 1e-11, L1Rate = 0.05, Epochs = 2 });

        Assert.Equal(0.05, ((L1Regularizer.Options)models[1].Options.Regularizer!).Rate);
        Assert.Equal(1e-11, ((ElectrostaticForceRegularizer.Options)models[3].Options.Regularizer!).ForceRate);
        Assert.Equal(new FoldedForceRegularizer.Options().ForceRate, ((FoldedForceRegularizer.Options)models[4].Options.Regularizer!).ForceRate);
        Assert.All(models, m => Assert.Equal(2, m.Options.Epochs));
    }
}
