#!/usr/bin/env bash
# Fuzz/run.sh: builds PoseScope's libFuzzer targets and runs one of them, single process.
#
#   Fuzz/run.sh TARGET SECONDS [extra libFuzzer flags...]
#   Fuzz/run.sh list
#
# TARGET: tflite | png | jpeg | safetensors | bvh | json (see Fuzz/README.md for what each covers).
# Everything written at run time lands under .build-fuzz/ (gitignored):
#   .build-fuzz/corpus/TARGET/seed   seed corpus, rebuilt on every run from the project's fixtures,
#                                    the fetched models and sample images (small files only)
#   .build-fuzz/corpus/TARGET/work   inputs libFuzzer found interesting (kept between runs)
#   .build-fuzz/artifacts/TARGET/    crash-*, timeout-*, oom-*, leak-* reproducers
#   .build-fuzz/logs/TARGET.log      the full libFuzzer log; the last stats line is printed at the end
# Limits: -timeout=1 (a hang is > 1 s per input), -rss_limit_mb=2048 (out of memory), leaks reported
# (suppressions in Fuzz/lsan.supp), AddressSanitizer quarantine 64 MiB.
# Env: FUZZ_NO_BUILD=1 skips the build; FUZZ_CONFIG=debug builds without optimisation (slower);
#      POSESCOPE_MODELS / POSESCOPE_SAMPLES / XDG_CACHE_HOME locate fetched assets (scripts/fetch-assets.sh).
# Reproduce a crash: .build-fuzz/release/FuzzTFLite .build-fuzz/artifacts/tflite/crash-<sha1>
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$root/.build-fuzz"
config="${FUZZ_CONFIG:-release}"
targets="tflite png jpeg safetensors bvh json"

usage() {
  echo "usage: Fuzz/run.sh TARGET SECONDS [libFuzzer flags...]   (TARGET: $targets)" >&2
  exit 2
}
[ "${1:-}" = "list" ] && { echo "$targets"; exit 0; }
[ $# -ge 2 ] || usage
target="$1"
seconds="$2"
shift 2
case "$target" in
  tflite) product=FuzzTFLite ;;
  png) product=FuzzPNG ;;
  jpeg) product=FuzzJPEG ;;
  safetensors) product=FuzzSafetensors ;;
  bvh) product=FuzzBVH ;;
  json) product=FuzzJSON ;;
  *) usage ;;
esac
[[ "$seconds" =~ ^[0-9]+$ ]] || usage

cache="${XDG_CACHE_HOME:-$HOME/.cache}/posescope"
models="${POSESCOPE_MODELS:-$cache/models}"
samples="${POSESCOPE_SAMPLES:-$cache/samples}"

if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
  # lld: ld.gold fails on the sanitizer runtime's symbols. libFuzzer's driver is started from each
  # target's main (Fuzz/Sources/CFuzzDriver).
  swift build --package-path "$root/Fuzz" -c "$config" --scratch-path "$scratch" --product "$product" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld 2>&1 \
    | grep -v -e "Cannot export local symbol" -e "prohibited flag" || true
fi
binary="$scratch/$config/$product"
[ -x "$binary" ] || { echo "error: $binary was not built" >&2; exit 1; }

seed="$scratch/corpus/$target/seed"
work="$scratch/corpus/$target/work"
artifacts="$scratch/artifacts/$target"
logs="$scratch/logs"
rm -rf "$seed"
mkdir -p "$seed" "$work" "$artifacts" "$logs"

# Copies the given files that exist and are at most $max bytes into the seed corpus.
max=1048576
seed_files() {
  local f
  for f in "$@"; do
    if [ -f "$f" ] && [ "$(stat -c %s "$f")" -le "$max" ]; then cp "$f" "$seed/"; fi
  done
}

dict=()
case "$target" in
  tflite)
    max=8000000  # the two fetched models (3 and 6.4 MB) are the only real-world seeds
    seed_files "$root"/Tests/NeuralEngineTests/Fixtures/ops/*.tflite "$root"/Tests/ModelFilesTests/Fixtures/*.tflite \
      "$models"/pose_detection.tflite "$models"/pose_landmark_full.tflite
    ;;
  png)
    max=300000
    seed_files "$root"/Tests/MediaIOTests/Fixtures/*.png "$root"/Tests/*/Fixtures/*.png
    ;;
  jpeg)
    max=400000
    seed_files "$root"/Tests/MediaIOTests/Fixtures/*.jpg "$samples"/images/*.jpg "$samples"/sports2d/frame_0001.jpg
    ;;
  safetensors)
    max=100000
    seed_files "$root"/Tests/*/Fixtures/*.safetensors "$root"/Tests/*/Fixtures/*/*.safetensors
    ;;
  bvh)
    seed_files "$root"/Tests/PoseTrainingTests/Fixtures/bvh/*.bvh
    dict=(-dict="$root/Fuzz/dicts/bvh.dict")
    ;;
  json)
    seed_files "$root"/Tests/PoseTrainingTests/Fixtures/poses/* "$root"/Tests/PoseTrainingTests/Fixtures/*.json \
      "$root"/Tests/PoseTrainingTests/Fixtures/jointmaps/*.json "$root"/Tests/TerminalUITests/Fixtures/*.json
    # Ground-truth sidecars, bone-length files in their three shapes, and training configs.
    j17='[0,0,0],[1,2,3],[4,5,6],[7,8,9],[1,0,0],[2,0,0],[3,0,0],[0,1,0],[0,2,0],[0,3,0],[0,4,0],[1,1,1],[2,2,2],[3,3,3],[4,4,4],[5,5,5],[6,6,6]'
    echo "{\"version\": 1, \"bone_lengths_mm\": {\"right_upper_leg\": 432, \"head\": 170}, \"joints_mm\": [[$j17], null]}" \
      >"$seed/sidecar.gt.json"
    bones='"right_pelvis","right_upper_leg","right_lower_leg","left_pelvis","left_upper_leg","left_lower_leg","spine_lower","spine_upper","neck","head","left_clavicle","left_upper_arm","left_forearm","right_clavicle","right_upper_arm","right_forearm"'
    plain="{$(echo "$bones" | sed 's/,/: 0.3,/g'): 0.3}"
    echo "$plain" >"$seed/bones-plain.json"
    echo "{\"unit\": \"cm\", \"bones\": $(echo "$plain" | sed 's/0\.3/30/g')}" >"$seed/bones-unit.json"
    echo "[$(echo "$bones" | sed 's/\("[a-z_]*"\)/{"name": \1, "length_m": 0.25}/g')]" >"$seed/bones-array.json"
    echo '{"minElevation": -5, "maxFocal": 1200, "boneScaleRange": 0.1, "inputJoints": "dataset"}' \
      >"$seed/config.json"
    dict=(-dict="$root/Fuzz/dicts/json.dict")
    ;;
esac
echo "seed corpus: $(ls "$seed" | wc -l) files in $seed"

log="$logs/$target.log"
echo "running $binary for $seconds s (log: $log)"
mkdir -p "$scratch/tmp"
set +e
# A smaller AddressSanitizer quarantine (64 MiB instead of 256 MiB): the caps let one input allocate tens of
# MiB, and the default quarantine plus allocator caching pushed the fuzzer's own RSS past the 2 GiB limit.
TMPDIR="$scratch/tmp" LSAN_OPTIONS="suppressions=$root/Fuzz/lsan.supp:${LSAN_OPTIONS:-}" \
  ASAN_OPTIONS="quarantine_size_mb=64:${ASAN_OPTIONS:-}" \
  "$binary" -max_total_time="$seconds" -timeout=1 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "${dict[@]}" "$@" "$work" "$seed" >"$log" 2>&1
status=$?
set -e
grep -E "^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)" "$log" | tail -1 || true
grep -E "^stat::" "$log" | sort -u || true
grep -E "^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)" "$log" || true
echo "libFuzzer exit status $status; artifacts in $artifacts"
exit $status
