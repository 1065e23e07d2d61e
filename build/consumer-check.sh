#!/usr/bin/env bash
# Package consumer check: packs the library, then restores, builds and runs a project OUTSIDE the repository that
# references the package from a local feed with one PackageReference (test/PackageConsumer). The consumer writes a
# folder-per-class PNG tree, runs the README's pipeline (LoadImages -> ResizeImages -> ExtractPixels -> ElectrostaticCnn,
# 1 epoch), evaluates, saves model.zip and loads it in a fresh process. Its build must run the package's
# buildTransitive libLibTorchSharp fix. Fails on any error. Usage: bash build/consumer-check.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# A version of its own for each run, so that the global packages folder never serves an older build of the package.
version="0.1.0-consumercheck.$(date +%Y%m%d%H%M%S).$$"
id="Microsoft.ML.ElectrostaticPruning"
packages="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: *//')"
work="$(mktemp -d "${TMPDIR:-/tmp}/ep-consumer-check.XXXXXX")"
cleanup() {
  rm -rf "$work" "$repo/src/$id/obj/Release/$id.$version.nuspec"
  if [ -n "$packages" ]; then rm -rf "${packages%/}/$(echo "$id" | tr '[:upper:]' '[:lower:]')/$version"; fi
}
trap cleanup EXIT

echo "consumer-check: packing $id $version"
dotnet pack "$repo/src/$id/$id.csproj" -c Release -o "$work/feed" -p:PackageVersion="$version" -v quiet -nologo

# The .nuspec that pack wrote (beside the project's obj folder; no unzip needed).
nuspec="$repo/src/$id/obj/Release/$id.$version.nuspec"
echo "consumer-check: the package depends on"
grep -o '<dependency id="[^"]*" version="[^"]*"' "$nuspec" | sed 's/<dependency /  /'
grep -q '<dependency id="Microsoft.ML" version="\[5.0.1, 5.1.0)"' "$nuspec" \
  || { echo "error: the package must depend on Microsoft.ML [5.0.1, 5.1)" >&2; exit 1; }

consumer="$work/PackageConsumer"
mkdir -p "$consumer"
sed "s/@PACKAGE_VERSION@/$version/" "$repo/test/PackageConsumer/PackageConsumer.csproj.template" > "$consumer/PackageConsumer.csproj"
cp "$repo/test/PackageConsumer/Program.cs" "$consumer/"
# The local feed on top of the machine's usual package sources.
cat > "$consumer/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="consumer-check-local" value="$work/feed" />
  </packageSources>
</configuration>
XML

echo "consumer-check: restoring and building $consumer"
(cd "$consumer" && dotnet build -c Release -v normal -nologo > "$work/build.log" 2>&1) || { tail -50 "$work/build.log"; echo "error: the consumer does not build" >&2; exit 1; }
grep -E "warning|libLibTorchSharp native fix" "$work/build.log" | sed 's/^ *//' | sort -u || true
grep -q "libLibTorchSharp native fix: .*libLibTorchSharp.so: \(marked GLIBCXX_3.4.32 weak\|GLIBCXX_3.4.32 is already weak\)" "$work/build.log" \
  || { echo "error: the package's buildTransitive targets did not patch libLibTorchSharp.so in the consumer's output" >&2; exit 1; }

# The package supports net10.0 only and must say so at restore (NuGet's NU1202), not fail later in the build: a project
# for an older framework restores against the same feed and must be refused.
old_consumer="$work/OlderFramework"
mkdir -p "$old_consumer"
sed "s#<TargetFramework>net10.0</TargetFramework>#<TargetFramework>net8.0</TargetFramework>#" "$consumer/PackageConsumer.csproj" > "$old_consumer/OlderFramework.csproj"
cp "$consumer/nuget.config" "$old_consumer/"
if (cd "$old_consumer" && dotnet restore -nologo > "$work/old-restore.log" 2>&1); then
  cat "$work/old-restore.log"; echo "error: a net8.0 project restored the package; it supports net10.0 only" >&2; exit 1
fi
grep -q "NU1202.*not compatible with net8.0" "$work/old-restore.log" \
  || { cat "$work/old-restore.log"; echo "error: restoring for net8.0 failed without NuGet's NU1202" >&2; exit 1; }
echo "consumer-check: a net8.0 project is refused at restore: $(grep -o 'error NU1202: [^.]*' "$work/old-restore.log" | head -1)"

echo "consumer-check: running"
(cd "$consumer" && dotnet bin/Release/net10.0/PackageConsumer.dll "$work/run")
# The README's pipeline program itself (its first C# block, with the block that continues it), built against the
# package alone and run where the images above lie (images/train, images/test): what a reader copies must run.
readme_project="$work/ReadmeProgram"
mkdir -p "$readme_project"
cp "$consumer/PackageConsumer.csproj" "$readme_project/ReadmeProgram.csproj"
cp "$consumer/nuget.config" "$readme_project/"
awk '
  /^```csharp[[:space:]]*$/ { inside = 1; block++; first = 1; next }
  /^```[[:space:]]*$/ && inside { inside = 0; next }
  !inside { next }
  block == 1 { if ($0 ~ /^(\/\/\/ |public |internal )/) types = 1; if (types) tail = tail $0 "\n"; else head = head $0 "\n"; next }
  first { first = 0; continued = (block == 2 && $0 ~ /^\/\/ continues the program above/) }
  continued { more = more $0 "\n" }
  END { printf "%s%s%s", head, more, tail }
' "$repo/README.md" > "$readme_project/Program.cs"
grep -q "ElectrostaticCnn(options)" "$readme_project/Program.cs" || { echo "error: could not extract the README's pipeline program" >&2; exit 1; }
echo "consumer-check: building and running the README's pipeline program ($(wc -l < "$readme_project/Program.cs") lines)"
(cd "$readme_project" && dotnet build -c Release -nologo -v quiet > "$work/readme-build.log" 2>&1) || { tail -30 "$work/readme-build.log"; echo "error: the README's program does not build against the package" >&2; exit 1; }
(cd "$work/run" && dotnet "$readme_project/bin/Release/net10.0/ReadmeProgram.dll" > "$work/readme-run.log" 2>&1) || { tail -30 "$work/readme-run.log"; echo "error: the README's program failed" >&2; exit 1; }
grep -E "^top-1|^at 0.7|^0\.[0-9]:" "$work/readme-run.log" | sed 's/^/  readme: /'
echo "consumer-check: passed"
