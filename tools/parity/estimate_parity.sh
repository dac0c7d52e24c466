#!/usr/bin/env bash
# Compares what two posescope binaries write for the fetched samples, field for field: each photo alone, the
# Sports2D frame folder, the video, the folder with --consistent-bones, the CSV of bus.jpg and the demo.
#   tools/parity/estimate_parity.sh OLD_BINARY NEW_BINARY [WORKDIR]
# Prints, per output, whether it is byte-identical and otherwise the largest difference per field
# (tools/parity/compare_json.py). Run from the package root (the shipped lifter is found from there).
set -u
old=$1
new=$2
work=${3:-$(mktemp -d)}
S=${POSESCOPE_SAMPLES:-${XDG_CACHE_HOME:-$HOME/.cache}/posescope/samples}
run() {
  local bin=$1 out=$2
  mkdir -p "$out"
  for f in bus.jpg zidane.jpg grace_hopper.jpg astronaut.png; do
    "$bin" estimate "$S/images/$f" -q >"$out/$f.json" 2>"$out/$f.err"
  done
  "$bin" estimate "$S/sports2d" -q >"$out/sports2d.json" 2>"$out/sports2d.err"
  "$bin" estimate "$S/video/sports2d_demo.mp4" -q >"$out/video.json" 2>"$out/video.err"
  "$bin" estimate "$S/sports2d" -q --consistent-bones >"$out/sports2d.cb.json" 2>"$out/sports2d.cb.err"
  "$bin" estimate "$S/images/bus.jpg" --format csv -q >"$out/bus.csv" 2>"$out/bus.csv.err"
}
run "$old" "$work/old"
run "$new" "$work/new"
for f in "$work"/old/*; do
  b=$(basename "$f")
  if cmp -s "$f" "$work/new/$b"; then
    echo "identical  $b"
  elif [[ $b == *.json ]]; then
    python3 "$(dirname "$0")/compare_json.py" "$f" "$work/new/$b"
  else
    echo "DIFFERENT  $b"
  fi
done
echo "outputs in $work"
