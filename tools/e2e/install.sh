#!/usr/bin/env bash
# End to end: `make install PREFIX=<temp>` installs a posescope that works from any folder — the installed
# binary finds the shipped lifter under the prefix (lifted_h36m17 in its output) and the shell completions
# are there. Needs the release build's prerequisites and the fetched models and samples.
set -euo pipefail
cd "$(dirname "$0")/../.."
prefix=$(mktemp -d)
elsewhere=$(mktemp -d)
trap 'rm -rf "$prefix" "$elsewhere"' EXIT
samples=${POSESCOPE_SAMPLES:-${XDG_CACHE_HOME:-$HOME/.cache}/posescope/samples}
pass=0
fail=0
check() {
  if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi
}
make install PREFIX="$prefix" >/dev/null
check "the binary is installed" "[ -x '$prefix/bin/posescope' ]"
check "the shipped lifter is installed" "[ -f '$prefix/share/posescope/lifter/posescope-lifter-h36m17.safetensors' ]"
check "bash, zsh and fish completions are installed" \
  "grep -q posescope '$prefix/share/bash-completion/completions/posescope' && [ -s '$prefix/share/zsh/site-functions/_posescope' ] && [ -s '$prefix/share/fish/vendor_completions.d/posescope.fish' ]"
cp "$samples/images/bus.jpg" "$elsewhere/"
out=$(cd "$elsewhere" && POSESCOPE_LIFTER= "$prefix/bin/posescope" estimate bus.jpg)
check "the installed posescope, run from another folder, lifts (lifted_h36m17)" \
  "printf '%s' \"\$out\" | grep -q '\"lifted_h36m17\"'"
check "models reports the installed lifter" \
  "(cd '$elsewhere' && '$prefix/bin/posescope' models) | grep -q 'lifter: $prefix/share/posescope/lifter/'"
echo "install e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
