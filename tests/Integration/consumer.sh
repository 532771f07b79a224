#!/usr/bin/env bash
# Integration test of the MupGen package as its users get it:
#   packs src/MupGen into a temporary local feed (a unique version, 0.0.0-ci.<timestamp>), creates a fresh net10.0
#   console project outside the repository, adds MupGen from that feed and TorchSharp-cpu through the ordinary NuGet
#   sources (a temporary nuget.config adds the local feed and keeps the machine's sources and package cache), pastes
#   docs/API.md's model, builds it, runs MupInitialize and one AdamW step, publishes it and runs the published copy.
# Checks: the package's layout; a build with no warnings (no analyzer RS/AD warning, no CS8785); the generated code
# (the model implements IMupModel); the native-library fix in the build and publish outputs only where the machine's
# libstdc++ lacks GLIBCXX_3.4.32, idempotent, never touching the NuGet cache, off with MupGenPatchTorchSharpNative=false.
#
#   bash tests/Integration/consumer.sh [--no-build] [--configuration Debug|Release] [--results FILE]
# --no-build packs what an earlier build of that configuration left (.ci/run does this after its Debug build).
# --results appends one "passed NAME" or "failed NAME" line per check (.ci/run counts them). Exit 1 if a check failed.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
configuration=Release
nobuild=""
results=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) nobuild="--no-build" ;;
    --configuration|-c) configuration="$2"; shift ;;
    --results) results="$2"; shift ;;
    *) echo "consumer.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export MSBUILDDISABLENODEREUSE=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

version="0.0.0-ci.$(date -u +%Y%m%d%H%M%S).$$"
work="$(mktemp -d "${TMPDIR:-/tmp}/mupgen-consumer.XXXXXX")"
feed="$work/feed"
app="$work/Consumer"
cache="$(dotnet nuget locals global-packages --list </dev/null | sed -n 's/^global-packages: //p' | tr -d '\r')"
cache="${cache%/}"
torchsharp_cpu="$(sed -n 's/.*Include="TorchSharp-cpu" Version="\([^"]*\)".*/\1/p' "$root/Directory.Packages.props")"
torchsharp="$(sed -n 's/.*Include="TorchSharp" Version="\([^"]*\)".*/\1/p' "$root/Directory.Packages.props")"

passed=0; failed=0
check() {  # check NAME CONDITION-EXIT-STATUS
  local name="$1" status="$2"
  if [ "$status" -eq 0 ]; then passed=$((passed + 1)); echo "  ok    $name"; [ -n "$results" ] && echo "passed $name" >> "$results"
  else failed=$((failed + 1)); echo "  FAIL  $name"; [ -n "$results" ] && echo "failed $name" >> "$results"; fi
  return 0
}
cleanup() {
  rm -rf "$work"
  # The unique version is this run's alone: take it out of the package cache again (nothing else is touched).
  [ -n "$cache" ] && rm -rf "$cache/mupgen/$version"
  rmdir "$cache/mupgen" 2>/dev/null || true
}
trap cleanup EXIT
finish() {
  echo "consumer: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}

echo "== consumer: pack MupGen $version ($configuration) into $feed"
if ! dotnet pack "$root/src/MupGen/MupGen.csproj" -c "$configuration" $nobuild -o "$feed" -p:Version="$version" -nologo </dev/null > "$work/pack.log" 2>&1; then
  cat "$work/pack.log"; check "pack src/MupGen" 1; finish
fi
nupkg="$feed/MupGen.$version.nupkg"
check "pack src/MupGen" "$([ -f "$nupkg" ]; echo $?)"
listing="$(unzip -l "$nupkg" 2>/dev/null)"
for f in lib/net10.0/MupGen.dll lib/net10.0/MupGen.xml analyzers/dotnet/cs/MupGen.Generators.dll \
         analyzers/dotnet/cs/MupGen.CodeFixes.dll buildTransitive/MupGen.targets buildTransitive/MupGen.BuildTasks.dll README.md; do
  check "package contains $f" "$(grep -q " $f\$" <<< "$listing"; echo $?)"
done

echo "== consumer: fresh console project in $app"
mkdir -p "$app"
cat > "$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <!-- No <clear/>: the machine's own sources (nuget.org) stay; this run's package comes from the local feed. -->
    <add key="mupgen-local-$version" value="$feed" />
  </packageSources>
</configuration>
EOF
(
  cd "$app" &&
  dotnet new console --framework net10.0 --name Consumer --output . </dev/null > "$work/new.log" 2>&1 &&
  dotnet add package TorchSharp-cpu --version "$torchsharp_cpu" </dev/null > "$work/add.log" 2>&1 &&
  dotnet add package MupGen --version "$version" </dev/null >> "$work/add.log" 2>&1
)
status=$?
[ "$status" -ne 0 ] && cat "$work/new.log" "$work/add.log"
check "dotnet new console + dotnet add package TorchSharp-cpu, MupGen" "$status"
[ "$status" -ne 0 ] && finish
cp "$root/tests/Integration/Consumer/Program.cs" "$root/tests/Integration/Consumer/Model.cs" "$app/"

# Where the loader finds the native library, and whether this machine's libstdc++ needs the fix.
native_cache="$cache/torchsharp/$torchsharp/runtimes/linux-x64/native/libLibTorchSharp.so"
cache_sum_before="$(sha256sum "$native_cache" 2>/dev/null | cut -d' ' -f1)"
libstdcxx="$(ldconfig -p 2>/dev/null | sed -n 's/^\s*libstdc++\.so\.6 (.*x86-64.*) => //p' | head -n 1)"
[ -z "$libstdcxx" ] && libstdcxx=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
needs_fix=1
grep -q 'GLIBCXX_3\.4\.32' "$libstdcxx" 2>/dev/null && needs_fix=0
echo "   libstdc++: $libstdcxx ($([ $needs_fix -eq 1 ] && echo 'lacks GLIBCXX_3.4.32: the package must patch' || echo 'has GLIBCXX_3.4.32: nothing to patch'))"

# 1. Build: no warnings at all (the analyzers' RS/AD warnings, CS8785 from the generator, NuGet warnings).
echo "== consumer: dotnet build"
(cd "$app" && dotnet build -nologo -v:n </dev/null > "$work/build.log" 2>&1)
status=$?
[ "$status" -ne 0 ] && grep -E "error|warning" "$work/build.log" | sort -u | head -n 40
check "consumer builds" "$status"
[ "$status" -ne 0 ] && finish
warnings="$(grep -E ': warning [A-Z]+[0-9]+' "$work/build.log" | sed 's/^ *//' | sort -u)"
[ -n "$warnings" ] && echo "$warnings" | head -n 20
check "build has no warnings (analyzers RS/AD, generator CS8785, NuGet)" "$([ -z "$warnings" ]; echo $?)"
check "the package's targets came through buildTransitive" \
  "$(grep -q 'buildTransitive/MupGen.targets' "$app/obj/Consumer.csproj.nuget.g.targets"; echo $?)"

out="$app/bin/Debug/net10.0"
native_out="$out/runtimes/linux-x64/native/libLibTorchSharp.so"
[ -f "$native_out" ] || native_out="$out/libLibTorchSharp.so"
if [ "$needs_fix" -eq 1 ]; then
  check "build patched the output's libLibTorchSharp.so" "$(grep -q 'MupGen: marked GLIBCXX_3.4.32 weak in' "$work/build.log" && ! cmp -s "$native_out" "$native_cache"; echo $?)"
else
  check "build left libLibTorchSharp.so alone (libstdc++ has the version)" "$(cmp -s "$native_out" "$native_cache"; echo $?)"
fi
if [ "$needs_fix" -eq 1 ] && command -v ldd > /dev/null; then
  # ldd's output is read into a variable first: piped into `grep -q` under pipefail, ldd could die of SIGPIPE when
  # grep stopped reading early, and the check failed at random.
  ldd_out="$(ldd "$native_out" 2>&1)"
  check "ldd: the patched copy needs GLIBCXX_3.4.32 only weakly" \
    "$(strong="$(grep -v 'weak version' <<< "$ldd_out")"; grep -q "weak version .GLIBCXX_3.4.32' not found" <<< "$ldd_out" && ! grep -q "version .GLIBCXX_3.4.32' not found" <<< "$strong"; echo $?)"
fi
check "the NuGet cache's libLibTorchSharp.so is unchanged" "$([ "$(sha256sum "$native_cache" | cut -d' ' -f1)" = "$cache_sum_before" ]; echo $?)"

# 2. Run: init and one optimizer step, checked by the program itself.
echo "== consumer: dotnet run"
(cd "$app" && dotnet run --no-build </dev/null > "$work/run.log" 2>&1)
status=$?
sed 's/^/   /' "$work/run.log" | head -n 40
check "consumer runs MupInitialize and one AdamW step (CONSUMER OK)" "$([ "$status" -eq 0 ] && grep -q '^CONSUMER OK$' "$work/run.log"; echo $?)"

# 3. Idempotent: a second build leaves the patched file as it is.
sum_patched="$(sha256sum "$native_out" | cut -d' ' -f1)"
(cd "$app" && dotnet build -nologo -v:n -clp:PerformanceSummary </dev/null > "$work/build2.log" 2>&1)
status=$?
echo "   cost on a no-op build: $(grep -E '^ *[0-9]+ ms  MupGen(PatchTorchSharpNativeOutput|MarkElfVersionNeedWeak) ' "$work/build2.log" | sed 's/  */ /g' | tr '\n' ';')"
check "second build: no second patch, file unchanged" \
  "$([ "$status" -eq 0 ] && ! grep -q 'MupGen: marked' "$work/build2.log" && [ "$(sha256sum "$native_out" | cut -d' ' -f1)" = "$sum_patched" ]; echo $?)"

# 4. The switch: with MupGenPatchTorchSharpNative=false a fresh copy stays as TorchSharp ships it.
rm -f "$native_out"
(cd "$app" && dotnet build -nologo -v:n -p:MupGenPatchTorchSharpNative=false </dev/null > "$work/build3.log" 2>&1)
status=$?
check "MupGenPatchTorchSharpNative=false leaves the copy as shipped" \
  "$([ "$status" -eq 0 ] && ! grep -q 'MupGen: marked' "$work/build3.log" && cmp -s "$native_out" "$native_cache"; echo $?)"
if [ "$needs_fix" -eq 1 ]; then
  # ... and that copy is what users without the fix get: TorchSharp does not load (the fix is what makes it work).
  (cd "$app" && dotnet run --no-build </dev/null > "$work/run-unpatched.log" 2>&1)
  status=$?
  # TorchSharp's message does not say why; the loader (ldd) does: a strong requirement this libstdc++ cannot meet.
  check "without the fix TorchSharp does not load here (LibTorchSharp fails to load)" \
    "$([ "$status" -ne 0 ] && grep -q 'Failed to load native component LibTorchSharp' "$work/run-unpatched.log"; echo $?)"
  if command -v ldd > /dev/null; then
    ldd_out="$(ldd "$native_out" 2>&1)"
    check "ldd: the unpatched copy needs GLIBCXX_3.4.32 (strong)" \
      "$(strong="$(grep -v 'weak version' <<< "$ldd_out")"; grep -q "version .GLIBCXX_3.4.32' not found" <<< "$strong"; echo $?)"
  fi
fi

# 4b. MupGenPatchTorchSharpNative=always patches whatever the build machine's libstdc++ provides.
rm -f "$native_out"
(cd "$app" && dotnet build -nologo -v:n -p:MupGenPatchTorchSharpNative=always </dev/null > "$work/build4.log" 2>&1)
status=$?
check "MupGenPatchTorchSharpNative=always patches the copy" \
  "$([ "$status" -eq 0 ] && grep -q 'MupGen: marked GLIBCXX_3.4.32 weak in .*(MupGenPatchTorchSharpNative=always)' "$work/build4.log" && ! cmp -s "$native_out" "$native_cache"; echo $?)"

# 5. Publish (framework-dependent, linux-x64) patches the publish folder's copy, and the published app runs.
echo "== consumer: dotnet publish -r linux-x64"
(cd "$app" && dotnet publish -nologo -v:n -r linux-x64 --self-contained false -o "$work/publish" </dev/null > "$work/publish.log" 2>&1)
status=$?
[ "$status" -ne 0 ] && grep -E "error" "$work/publish.log" | sort -u | head -n 20
check "consumer publishes" "$status"
if [ "$status" -eq 0 ]; then
  native_pub="$work/publish/libLibTorchSharp.so"
  if [ "$needs_fix" -eq 1 ]; then
    check "publish patched the publish folder's libLibTorchSharp.so" "$([ -f "$native_pub" ] && ! cmp -s "$native_pub" "$native_cache"; echo $?)"
  fi
  (cd "$work/publish" && dotnet Consumer.dll </dev/null > "$work/run-published.log" 2>&1)
  status=$?
  check "the published consumer runs (CONSUMER OK)" "$([ "$status" -eq 0 ] && grep -q '^CONSUMER OK$' "$work/run-published.log"; echo $?)"
  [ "$status" -ne 0 ] && sed 's/^/   /' "$work/run-published.log" | head -n 20
fi
# 6. Transitive: a console app that references only a class library (MupGen + TorchSharp-cpu + the model) gets the
#    build step through buildTransitive, and runs.
echo "== consumer: through a class library (buildTransitive)"
lib="$work/ModelLib"; tapp="$work/App"
mkdir -p "$lib" "$tapp"
(
  cd "$lib" &&
  dotnet new classlib --framework net10.0 --name ModelLib --output . </dev/null > "$work/new-lib.log" 2>&1 &&
  rm -f Class1.cs && cp "$root/tests/Integration/Consumer/Model.cs" . &&
  dotnet add package TorchSharp-cpu --version "$torchsharp_cpu" </dev/null >> "$work/new-lib.log" 2>&1 &&
  dotnet add package MupGen --version "$version" </dev/null >> "$work/new-lib.log" 2>&1 &&
  cd "$tapp" &&
  dotnet new console --framework net10.0 --name App --output . </dev/null >> "$work/new-lib.log" 2>&1 &&
  cp "$root/tests/Integration/Consumer/TransitiveProgram.cs" Program.cs &&
  dotnet add reference "$lib/ModelLib.csproj" </dev/null >> "$work/new-lib.log" 2>&1 &&
  dotnet build -nologo -v:n </dev/null > "$work/build-app.log" 2>&1
)
status=$?
[ "$status" -ne 0 ] && { cat "$work/new-lib.log"; grep -E "error" "$work/build-app.log" | sort -u | head -n 20; }
check "an app referencing a library that references MupGen builds" "$status"
if [ "$status" -eq 0 ]; then
  tnative="$tapp/bin/Debug/net10.0/runtimes/linux-x64/native/libLibTorchSharp.so"
  if [ "$needs_fix" -eq 1 ]; then
    check "the app's copy of libLibTorchSharp.so is patched (buildTransitive)" \
      "$(grep -q "MupGen: marked GLIBCXX_3.4.32 weak in $tapp/" "$work/build-app.log" && [ -f "$tnative" ] && ! cmp -s "$tnative" "$native_cache"; echo $?)"
  fi
  (cd "$tapp" && dotnet run --no-build </dev/null > "$work/run-app.log" 2>&1)
  status=$?
  [ "$status" -ne 0 ] && sed 's/^/   /' "$work/run-app.log" | head -n 20
  check "the app runs the library's µP model (TRANSITIVE OK)" "$([ "$status" -eq 0 ] && grep -q '^TRANSITIVE OK$' "$work/run-app.log"; echo $?)"
fi
check "the NuGet cache's libLibTorchSharp.so is still unchanged" "$([ "$(sha256sum "$native_cache" | cut -d' ' -f1)" = "$cache_sum_before" ]; echo $?)"

finish
