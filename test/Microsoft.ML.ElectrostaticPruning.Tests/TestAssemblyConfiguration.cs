// libtorch has one global RNG (torch.manual_seed) and one intra-op thread pool per process. Tests that seed it and then
// initialise or train a network are only reproducible when no other test touches it in between, and on a 2-core CI
// machine parallel test classes only fight over the same two cores. Run test classes one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
