#!/bin/sh
# Builds libcpuiddefect.so next to this script.
set -e
cd "$(dirname "$0")"
${CC:-gcc} -O2 -Wall -Wextra -shared -fPIC -o libcpuiddefect.so cpuiddefect.c -ldl
echo "built $(pwd)/libcpuiddefect.so"
