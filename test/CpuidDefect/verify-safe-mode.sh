#!/usr/bin/env bash
# Runs the test suite on this (healthy) machine as if it had the oneDNN cache-size defect: once in the automatic mode
# (the self-check must pick safe mode and every test must pass) and once with safe mode forced off (the invariant
# tests must fail, naming the kernel problem). Needs gcc and a CPU with the cpuid_fault flag (see README.md).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
"$here/build.sh" >/dev/null || exit 1
cd "$root"
dotnet build ElectrostaticPruning.sln -c Release -v q >/dev/null || exit 1
echo "== defect emulated, automatic mode (expected: warning line, all tests pass)"
"$here/with-cpuid-defect.sh" dotnet test ElectrostaticPruning.sln -c Release --no-build 2>&1 | grep -E "warning: ElectrostaticPruning|Passed!|Failed!|\[FAIL\]"
auto=${PIPESTATUS[0]}
echo "== defect emulated, ELECTROSTATIC_PRUNING_CONV_MODE=standard (expected: invariant, determinism and fine-tuning tests fail)"
ELECTROSTATIC_PRUNING_CONV_MODE=standard "$here/with-cpuid-defect.sh" dotnet test ElectrostaticPruning.sln -c Release --no-build 2>&1 | grep -E "Passed!|Failed!|\[FAIL\]"
forced=${PIPESTATUS[0]}
echo "automatic mode exit code $auto (expected 0); forced standard exit code $forced (expected non-zero)"
[ "$auto" -eq 0 ] && [ "$forced" -ne 0 ]
