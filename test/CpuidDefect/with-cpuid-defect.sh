#!/bin/sh
# Runs CMD... with CPUID faulting and faked cache-descriptor leaves (see README.md).
#   CPUID_DEFECT_MODE=auto|amd|off   (default auto)   CPUID_DEFECT_LOG=1 to log the fakes.
if [ $# -eq 0 ]; then echo "usage: $0 CMD [ARGS...]" >&2; exit 2; fi
here="$(cd "$(dirname "$0")" && pwd)"
lib="$here/libcpuiddefect.so"
[ -f "$lib" ] || "$here/build.sh" >&2 || exit 1
if ! grep -qw cpuid_fault /proc/cpuinfo; then
  echo "with-cpuid-defect: this CPU/hypervisor has no cpuid_fault; cannot emulate" >&2; exit 3
fi
export LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}"
exec "$@"
