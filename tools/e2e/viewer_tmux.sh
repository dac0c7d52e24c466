#!/usr/bin/env bash
# End-to-end test of the terminal viewer in tmux: starts `posescope` (no arguments: the viewer on the fetched
# sample media) in a detached 160x48 tmux session, sends keys (next image, rotate, toggle source, help, play,
# mouse drag, quit), checks the screen with capture-pane, resizes the window mid-run, and checks that the
# terminal is back to normal after `q` and, in further sessions, after kill -TERM, -INT, -HUP and -SEGV.
#
#   tools/e2e/viewer_tmux.sh            uses .build/release/posescope (build it first: swift build -c release)
#   POSESCOPE_BIN=path/to/posescope tools/e2e/viewer_tmux.sh
#
# Environment: POSESCOPE_SAMPLES / POSESCOPE_MODELS as for posescope; E2E_TIMEOUT (seconds per wait,
# default 60); E2E_KEEP=1 keeps the screen captures (in $TMPDIR/posescope-e2e.*). Exits 0 when every check
# passes, 1 with a message naming the failed check otherwise, 2 when something it needs is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
export LC_ALL=C.UTF-8 # grep and python3 read the captures as UTF-8

BIN=${POSESCOPE_BIN:-.build/release/posescope}
TIMEOUT=${E2E_TIMEOUT:-60}
SAMPLES=${POSESCOPE_SAMPLES:-${XDG_CACHE_HOME:-$HOME/.cache}/posescope/samples}
export POSESCOPE_SAMPLES="$SAMPLES"

need() { echo "viewer_tmux: $*" >&2; exit 2; }
command -v tmux >/dev/null || need "tmux is not installed (scripts/setup.sh installs it)"
command -v python3 >/dev/null || need "python3 is needed to cut panes out of the captures"
[ -x "$BIN" ] || need "no executable at $BIN: build it with 'swift build -c release' or set POSESCOPE_BIN"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
for f in images/bus.jpg images/zidane.jpg sports2d/frame_0001.jpg; do
  [ -f "$SAMPLES/$f" ] || need "sample media missing ($SAMPLES/$f): run scripts/fetch-assets.sh samples"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/posescope-e2e.XXXXXX")
SOCKET="posescope-e2e-$$"
T() { tmux -L "$SOCKET" "$@"; }
cleanup() {
  T kill-server >/dev/null 2>&1 || true
  if [ "${E2E_KEEP:-0}" = 1 ]; then echo "captures kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

STEP=0
fail() {
  echo "FAIL: $*" >&2
  if [ -n "${SESSION:-}" ] && T has-session -t "$SESSION" 2>/dev/null; then
    echo "---- screen of $SESSION ----" >&2
    T capture-pane -p -t "$SESSION" >&2 || true
  fi
  exit 1
}
ok() { STEP=$((STEP + 1)); echo "ok $STEP - $*"; }

# The pane's screen as text.
screen() { T capture-pane -p -t "$SESSION"; }

# wait_for REGEX [DESCRIPTION]: polls the screen until it matches (grep -E), or fails after $TIMEOUT s.
wait_for() {
  local deadline=$((SECONDS + TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    if screen | grep -qE -- "$1"; then return 0; fi
    sleep 0.2
  done
  fail "timed out after ${TIMEOUT}s waiting for ${2:-/$1/}"
}

# wait_gone REGEX [DESCRIPTION]: polls until the screen no longer matches.
wait_gone() {
  local deadline=$((SECONDS + TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    if ! screen | grep -qE -- "$1"; then return 0; fi
    sleep 0.2
  done
  fail "timed out after ${TIMEOUT}s waiting for ${2:-/$1/} to go away"
}

# The inside of the pane whose top border holds TITLE (box-drawing borders, one cell per character).
pane_text() {
  screen | python3 -c '
import sys
title = sys.argv[1]
lines = sys.stdin.read().split("\n")
for y, line in enumerate(lines):
    i = line.find(title)
    if i < 0:
        continue
    left = max(line.rfind(c, 0, i) for c in "┌┏")
    right = min([j for j in (line.find(c, i) for c in "┐┓") if j >= 0] or [len(line)])
    for row in lines[y + 1:]:
        if left >= len(row) or row[left] in "└┗":
            break
        print(row[left + 1:right])
    break
' "$1"
}

# wait_pane_change TITLE BEFORE_FILE DESCRIPTION: polls until the pane's text differs from BEFORE_FILE.
wait_pane_change() {
  local deadline=$((SECONDS + TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    pane_text "$1" >"$WORK/now.txt"
    if [ -s "$WORK/now.txt" ] && ! cmp -s "$2" "$WORK/now.txt"; then return 0; fi
    sleep 0.2
  done
  fail "timed out waiting for $3"
}

# The command running in the pane (posescope while the viewer runs, bash after it).
pane_command() { T display-message -p -t "$SESSION" '#{pane_current_command}'; }

wait_for_shell() {
  local deadline=$((SECONDS + TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    if [ "$(pane_command)" = bash ]; then return 0; fi
    sleep 0.2
  done
  fail "the viewer did not exit within ${TIMEOUT}s (pane runs $(pane_command))"
}

# Starts a session with a plain shell (UTF-8 locale, 256 colours) and runs the viewer in it.
start_viewer() {
  SESSION=$1
  T -f /dev/null new-session -d -s "$SESSION" -x 160 -y 48 \
    "env -i HOME=\"$HOME\" PATH=\"$PATH\" TERM=tmux-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 \
     POSESCOPE_SAMPLES=\"$SAMPLES\" ${POSESCOPE_MODELS:+POSESCOPE_MODELS=\"$POSESCOPE_MODELS\"} \
     PS1='$ ' bash --norc --noprofile"
  T set-option -t "$SESSION" status off >/dev/null
  T resize-window -t "$SESSION" -x 160 -y 48 >/dev/null 2>&1 || true
  wait_for '^\$( |$)' "the shell prompt"
  # The terminal settings before the viewer, for comparison.
  T send-keys -t "$SESSION" -l "stty -a > '$WORK/stty-before-$SESSION.txt'"
  T send-keys -t "$SESSION" Enter
  # Run from the scratch folder, where `e` writes its export.
  T send-keys -t "$SESSION" -l "cd '$WORK'; clear; '$BIN'; echo \"viewer-exit=\$?\""
  T send-keys -t "$SESSION" Enter
}

# check_terminal_restored NAME: the viewer is gone and the pane's terminal is in normal mode again.
check_terminal_restored() {
  wait_for_shell
  local flags
  flags=$(T display-message -p -t "$SESSION" '#{alternate_on} #{cursor_flag} #{mouse_any_flag}')
  [ "$flags" = "0 1 0" ] || fail "$1: alternate screen/cursor/mouse flags are '$flags', expected '0 1 0'"
  T send-keys -t "$SESSION" -l "stty -a > '$WORK/stty-after-$SESSION.txt'; echo stty-done"
  T send-keys -t "$SESSION" Enter
  wait_for '^stty-done' "stty to run after $1"
  local s="$WORK/stty-after-$SESSION.txt"
  grep -qE '(^|[ ;])icanon([ ;]|$)' "$s" || fail "$1: terminal left without icanon: $(tr '\n' ' ' <"$s")"
  grep -qE '(^|[ ;])echo([ ;]|$)' "$s" || fail "$1: terminal left without echo: $(tr '\n' ' ' <"$s")"
  # Every setting is as before the viewer started.
  cmp -s "$WORK/stty-before-$SESSION.txt" "$s" ||
    fail "$1: stty -a differs from before: $(diff "$WORK/stty-before-$SESSION.txt" "$s" | tr '\n' ' ')"
}

echo "viewer e2e: $BIN on $SAMPLES (tmux $(tmux -V | cut -d' ' -f2), timeout ${TIMEOUT}s per wait)"

# ---- Session 1: keys, rotation, help, play, resize, quit.
start_viewer view1
wait_for 'Files 1/5' "the browser pane"
wait_for 'bus\.jpg 810×1080' "the image pane title"
wait_for '3D BlazePose · H36M-17 · front' "the 3D pane title"
wait_for 'Bone lengths \(mm\)' "the bone-length pane"
wait_for 'Tab:files  \?:help' "the status bar"
ok "the viewer opens on the sample media with its four panes and the status bar"
wait_for 'bus\.jpg 810×1080 · score' "the pose of bus.jpg"
wait_for '│  bone +len +ref' "the bone table rows"
ok "bus.jpg is estimated (score in the title, bone table filled)"

T send-keys -t "$SESSION" j
wait_for 'zidane\.jpg 1280×720' "zidane.jpg after j (next image)"
wait_for '> zidane\.jpg' "the browser selection on zidane.jpg"
ok "j selects the next image"
T send-keys -t "$SESSION" k
wait_for '> bus\.jpg' "the selection back on bus.jpg after k"
wait_for 'bus\.jpg 810×1080 · score' "bus.jpg's pose again"

pane_text "3D BlazePose" >"$WORK/skeleton-front.txt"
dots=$(python3 -c 'import sys; print(sum(0x2801 <= ord(c) <= 0x28FF for c in open(sys.argv[1]).read()))' \
  "$WORK/skeleton-front.txt")
[ "$dots" -gt 40 ] || fail "the 3D pane has no braille drawing ($dots braille cells)"
T send-keys -t "$SESSION" l l l
wait_for '3D BlazePose · H36M-17 · yaw 45° pitch 0°' "the camera title after three orbit steps"
wait_pane_change "3D BlazePose" "$WORK/skeleton-front.txt" "the skeleton drawing to change after rotating"
cp "$WORK/now.txt" "$WORK/skeleton-yaw45.txt"
ok "l rotates the skeleton (pane title and braille drawing change)"
T send-keys -t "$SESSION" 2
wait_for '3D BlazePose · H36M-17 · side' "the side view after 2"
T send-keys -t "$SESSION" 0
wait_for '3D BlazePose · H36M-17 · front' "the front view after 0"
ok "2 and 0 switch to the side view and back"

T send-keys -t "$SESSION" Tab
wait_for 'Tab:3D  \?:help' "the focus on the 3D pane after Tab"
T send-keys -t "$SESSION" Up
wait_for '3D BlazePose · H36M-17 · yaw 0° pitch 15°' "the camera raised by Up in the 3D pane"
T send-keys -t "$SESSION" BTab
wait_for 'Tab:files  \?:help' "the focus back on the files after Shift-Tab"
T send-keys -t "$SESSION" 0
wait_for '3D BlazePose · H36M-17 · front' "the front view after 0"
ok "Tab moves the focus to the 3D pane, where Up orbits; Shift-Tab moves it back"

T send-keys -t "$SESSION" e
wait_for 'exported to \./bus\.jpg\.pose\.json' "the export message with its path"
python3 - "$WORK/bus.jpg.pose.json" <<'PY' || fail "the export is not the estimate JSON of bus.jpg"
import json, sys
doc = json.load(open(sys.argv[1]))
frame = doc["frames"][0]
assert doc["schema"] == 1 and frame["file"].endswith("bus.jpg") and frame["person"], doc
assert len(frame["h36m17"]) == 17 and len(frame["bone_lengths"]) == 16, frame.keys()
PY
ok "e exports bus.jpg as estimate JSON and shows where"

# The shipped lifter (assets/lifter) is the second 3D source: s switches to it and back.
T send-keys -t "$SESSION" s
wait_for '3D AITE lifter · H36M-17' "the AITE lifter as the 3D source after s"
T send-keys -t "$SESSION" s
wait_for '3D BlazePose · H36M-17' "BlazePose as the 3D source again after s"
T send-keys -t "$SESSION" t
wait_for '3D BlazePose · BlazePose-33' "the BlazePose-33 skeleton after t"
T send-keys -t "$SESSION" t
wait_for '3D BlazePose · H36M-17' "H36M-17 again after t"
ok "s switches the 3D source to the AITE lifter and back, t toggles the skeleton"

T send-keys -t "$SESSION" '?'
wait_for 'PoseScope keys' "the help screen after ?"
wait_for 'orbit left' "key help lines"
T send-keys -t "$SESSION" Escape
wait_gone 'PoseScope keys' "the help screen after Esc"
ok "? opens the help generated from the key table, Esc closes it"

T send-keys -t "$SESSION" G
wait_for '> sports2d/' "the frame folder selected after G"
wait_for 'frame 1/230' "frame 1/230"
T send-keys -t "$SESSION" .
wait_for 'frame 2/230' "frame 2/230 after ."
T send-keys -t "$SESSION" Space
wait_for 'frame ([3-9]|[1-9][0-9]+)/230 ▶' "playback to advance past frame 2"
T send-keys -t "$SESSION" Space
wait_gone '/230 ▶' "playback to pause"
ok "Space plays and pauses the sports2d frame folder (and . steps)"

# Mouse: a drag in the 3D pane (X10 mouse reports as tmux sends them for TERM=tmux-256color).
pane_text "3D BlazePose" >"$WORK/skeleton-before-drag.txt"
T resize-window -t "$SESSION" -x 120 -y 40
wait_for '^ .{0,118}Tab:[a-z3D]+  \?:help' "the viewer to re-layout at 120x40"
# ESC [ M, then 32 + button (32 = motion, 3 = release), 33 + column, 33 + row (0-based cells). Sent as three
# reports; when the viewer is busy they arrive together, which it must handle too.
mouse() { printf '1b 5b 4d %x %x %x' $((32 + $1)) $((33 + $2)) $((33 + $3)); }
T send-keys -t "$SESSION" 0
wait_for '3D BlazePose · H36M-17 · front' "the front view before the drag"
# shellcheck disable=SC2046
{
  T send-keys -t "$SESSION" -H $(mouse 0 85 15)
  T send-keys -t "$SESSION" -H $(mouse 32 90 15)
  T send-keys -t "$SESSION" -H $(mouse 3 90 15)
}
wait_for '3D BlazePose · H36M-17 · yaw 20° pitch 0°' "a 5-column mouse drag to orbit by 20°"
wait_for 'Tab:3D  \?:help' "the focus on the 3D pane after the click"
ok "a mouse drag in the 3D pane orbits the camera"

T resize-window -t "$SESSION" -x 100 -y 30
wait_for '^ .{0,98}Tab:[a-z3D]+  \?:help' "the viewer to re-layout at 100x30"
[ "$(screen | head -1 | python3 -c 'import sys; print(len(sys.stdin.read().rstrip("\n")))')" -le 100 ] ||
  fail "the first line is wider than the 100-column window"
T resize-window -t "$SESSION" -x 70 -y 20
wait_for 'Terminal too small' "the too-small screen at 70x20"
wait_for '70x20, need at least 80x24' "the size in the too-small message"
T resize-window -t "$SESSION" -x 160 -y 48
wait_for 'Files 5/5' "the panes again at 160x48"
[ "$(pane_command)" = posescope ] || fail "the viewer is not running after the resizes"
ok "resizing to 100x30, 70x20 (too small) and back re-lays out without a crash"

T send-keys -t "$SESSION" q
check_terminal_restored "after q"
wait_for '^viewer-exit=0' "exit status 0 after q"
ok "q quits with status 0 and the terminal is back in normal mode (icanon, echo, no alternate screen)"

# ---- Sessions 2-5: killed by a signal (SIGSEGV stands in for a crash: the last-resort handler restores
# the terminal, then the process dies by the signal).
for sig in TERM:143 INT:130 HUP:129 SEGV:139; do
  name=${sig%%:*}
  status=${sig##*:}
  start_viewer "sig$name"
  wait_for 'Files 1/5' "the viewer (for SIG$name)"
  wait_for 'bus\.jpg 810×1080 · score' "the first pose (for SIG$name)"
  shell_pid=$(T display-message -p -t "$SESSION" '#{pane_pid}')
  viewer_pid=$(pgrep -P "$shell_pid" -f posescope | head -1 || true)
  [ -n "$viewer_pid" ] || fail "cannot find the viewer process under the pane's shell ($shell_pid)"
  kill "-$name" "$viewer_pid"
  check_terminal_restored "after kill -$name"
  if [ "$name" = INT ]; then
    # An interactive bash abandons the rest of a command line whose command died of SIGINT, so the
    # `echo viewer-exit=$?` never runs: check that the viewer is gone (above) and the terminal restored.
    ok "kill -INT ends the viewer and the terminal is back in normal mode"
    continue
  fi
  wait_for "^viewer-exit=$status" "exit status $status after kill -$name"
  ok "kill -$name ends the viewer (status $status) and the terminal is back in normal mode"
done

echo "viewer e2e: all $STEP checks passed"
