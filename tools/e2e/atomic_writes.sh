#!/usr/bin/env bash
# End-to-end test that nothing a user had is lost when a writer dies: `posescope train` (a checkpoint
# written every step) and `posescope estimate -o` (one JSON at the end) are killed with SIGKILL at random
# moments; after every kill the file must still be whole (the checkpoint loads and `train --resume`
# continues from it at a later step; the JSON parses and is either the old document or the complete new
# one). Release build; needs the fetched models and sample media and ../shared/mocap.
#
#   POSESCOPE_BIN=path/to/posescope tools/e2e/atomic_writes.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${POSESCOPE_BIN:-.build/release/posescope}
MOCAP=${POSESCOPE_MOCAP:-../shared/mocap}
SAMPLES=${POSESCOPE_SAMPLES:-${XDG_CACHE_HOME:-$HOME/.cache}/posescope/samples}
ROUNDS=${ROUNDS:-6}
[ -x "$BIN" ] || { echo "no executable at $BIN (swift build -c release, or set POSESCOPE_BIN)"; exit 2; }
[ -d "$MOCAP/cmu-iclone" ] || { echo "no mocap at $MOCAP (set POSESCOPE_MOCAP)"; exit 2; }
[ -d "$SAMPLES/sports2d" ] || { echo "no sample frames in $SAMPLES (scripts/fetch-assets.sh)"; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
n=0
ok() {
  n=$((n + 1))
  echo "ok $n - $*"
}
fail() {
  echo "not ok - $*"
  exit 1
}
# A random delay in seconds between $1 and $2 tenths.
delay() { echo "$(((RANDOM % ($2 - $1 + 1)) + $1))e-1" | awk '{printf "%.1f", $1}'; }

# ---- train: checkpoint (52 MB with the Adam state) written every step, killed mid-run, resumed.
TRAIN=(train --data "$MOCAP/cmu-iclone/001_01.bvh" --width 1024 --batch 32 --threads 1 --val-every 0
  --checkpoint-every 1 --out "$WORK/run.safetensors" --quiet)
"$BIN" "${TRAIN[@]}" --steps 3 >/dev/null 2>&1 || fail "the first short training run failed"
last=3
for round in $(seq 1 "$ROUNDS"); do
  "$BIN" "${TRAIN[@]}" --steps 1000000 --resume >"$WORK/train.log" 2>&1 &
  pid=$!
  sleep "$(delay 8 25)"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "# round $round: $(find "$WORK" -name '.run.safetensors.tmp*' | wc -l) temporary file(s) after the kill"
  # The checkpoint left behind must load and resume at a step no earlier than the last one.
  "$BIN" "${TRAIN[@]}" --steps 1 --resume >"$WORK/resume.log" 2>&1 ||
    fail "round $round: the checkpoint does not resume: $(tail -3 "$WORK/resume.log")"
  step=$(sed -n 's/.*resumed .* at step \([0-9]*\).*/\1/p' "$WORK/resume.log" | head -1)
  [ -n "$step" ] || fail "round $round: no 'resumed … at step N' line: $(head -3 "$WORK/resume.log")"
  [ "$step" -ge "$last" ] || fail "round $round: resumed at step $step, before the previous $last"
  last=$step
done
ok "train killed $ROUNDS times mid-run (checkpoint every step): the checkpoint always loads and resumes (last at step $last)"
# A writer killed mid-write leaves its temporary file (the kills above rarely land in a write, so one is
# planted, named and dated as a dead process would have left it); the next write of the target removes the
# temporaries whose process is gone (and that are 5 minutes old) and keeps a live process's.
deadpid() {
  sh -c 'exit 0' &
  local p=$!
  wait "$p"
  echo "$p"
}
# plant TARGET: beside TARGET, a dead writer's temporary and a live one's (this shell's), both left 10
# minutes ago (a temporary modified in the last 5 minutes may be another machine's write in progress, so
# the real ones the kills above left are kept for now).
plant() {
  local dir name
  dir=$(dirname "$1") name=$(basename "$1")
  DEAD=$(deadpid)
  head -c 1000 /dev/zero >"$dir/.$name.tmp-$DEAD-0-42"
  head -c 1000 /dev/zero >"$dir/.$name.tmp-$$-0-42"
  touch -d '10 minutes ago' "$dir/.$name.tmp-$DEAD-0-42" "$dir/.$name.tmp-$$-0-42"
}
# planted TARGET WHAT: the dead writer's planted temporary is gone and the live one's is still there.
planted() {
  local dir name
  dir=$(dirname "$1") name=$(basename "$1")
  [ ! -e "$dir/.$name.tmp-$DEAD-0-42" ] || fail "after $2: the dead writer's temporary is still there"
  [ -f "$dir/.$name.tmp-$$-0-42" ] || fail "after $2: the live writer's temporary was removed"
  rm -f "$dir/.$name.tmp-$$-0-42"
  echo "# after $2: $(find "$dir" -name ".$name.tmp*" | wc -l) recent temporaries of the killed runs kept"
}
plant "$WORK/run.safetensors"
"$BIN" "${TRAIN[@]}" --steps 1 --resume >"$WORK/resume.log" 2>&1 || fail "the last resume failed"
planted "$WORK/run.safetensors" "a checkpoint write"
ok "a checkpoint write removed a dead writer's temporary and kept a live one's"

# ---- estimate -o: the old document or the complete new one, never a partial file.
"$BIN" estimate "$SAMPLES/images/bus.jpg" --no-lifter -q -o "$WORK/out.json" || fail "estimate bus.jpg"
for round in $(seq 1 "$ROUNDS"); do
  "$BIN" estimate "$SAMPLES/sports2d" --no-lifter -q -o "$WORK/out.json" >/dev/null 2>&1 &
  pid=$!
  sleep "$(delay 5 60)"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  frames=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["frames"]))' "$WORK/out.json") ||
    fail "round $round: out.json is not a whole JSON document after the kill"
  [ "$frames" = 1 ] || [ "$frames" = 230 ] ||
    fail "round $round: out.json has $frames frames (neither the old 1 nor the new 230)"
  echo "# round $round: out.json holds $frames frame(s)"
  if [ "$frames" = 230 ]; then
    "$BIN" estimate "$SAMPLES/images/bus.jpg" --no-lifter -q -o "$WORK/out.json" || fail "estimate bus.jpg"
  fi
done
ok "estimate -o killed $ROUNDS times: the output is always the old document or the complete new one"
plant "$WORK/out.json"
"$BIN" estimate "$SAMPLES/images/bus.jpg" --no-lifter -q -o "$WORK/out.json" || fail "estimate bus.jpg"
planted "$WORK/out.json" "estimate -o"
ok "estimate -o removed a dead writer's temporary and kept a live one's"
echo "atomic writes e2e: all $n checks passed"
