#!/usr/bin/env bash
# End-to-end test of the terminal viewer in tmux: starts `posescope` (no arguments: the viewer on the fetched
# sample media) in a detached 160x48 tmux session, sends keys (next image, rotate, toggle source, help, play,
# mouse drag, quit), checks the screen with capture-pane, resizes the window mid-run, and checks that the
# terminal is back to normal after `q` and, in further sessions, after kill -TERM, -INT, -HUP and -SEGV,
# an error thrown inside the loop and a Swift runtime trap (POSESCOPE_TEST_DIE).
# One session views bus.jpg with the shipped unsupervised lifter as the second 3D source (view --lifter).
# Two more sessions open the sample video (first pose, step, jump/seek, frame counter and time in the status
# bar, play, export with time_s) and the same video without ffmpeg on PATH (the install hint, no crash).
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
VIDEO=$SAMPLES/video/sports2d_demo.mp4
for f in images/bus.jpg images/zidane.jpg sports2d/frame_0001.jpg video/sports2d_demo.mp4; do
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

# The inside of the pane whose top border holds TITLE with each cell's colours (capture-pane -e): the
# half-block image pane is the same text for every picture, its colours are not.
pane_colors() {
  T capture-pane -e -p -t "$SESSION" | python3 -c '
import re, sys
title = sys.argv[1]
rows = []
for line in sys.stdin.read().split("\n"):
    cells, sgr = [], ""
    for m in re.finditer(r"\x1b\[([0-9;]*)m|(.)", line):
        if m.group(2) is None:
            sgr = "" if m.group(1) in ("", "0") else sgr + ";" + m.group(1)
        else:
            cells.append((m.group(2), sgr))
    rows.append(cells)
text = ["".join(c for c, _ in r) for r in rows]
for y, line in enumerate(text):
    i = line.find(title)
    if i < 0:
        continue
    left = max(line.rfind(c, 0, i) for c in "┌┏")
    right = min([j for j in (line.find(c, i) for c in "┐┓") if j >= 0] or [len(line)])
    for row, cells in zip(text[y + 1:], rows[y + 1:]):
        if left >= len(row) or row[left] in "└┗":
            break
        print("".join(c + s for c, s in cells[left + 1:right]))
    break
' "$1"
}

# wait_pane_change TITLE BEFORE_FILE DESCRIPTION [FUNCTION]: polls until the pane's text (or FUNCTION's
# output, e.g. pane_colors) differs from BEFORE_FILE.
wait_pane_change() {
  local deadline=$((SECONDS + TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    "${4:-pane_text}" "$1" >"$WORK/now.txt"
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

# start_viewer NAME [ARGS...]: starts a session with a plain shell (UTF-8 locale, 256 colours) and runs the
# viewer in it (with ARGS, single-quoted; $VIEWER_ENV, when set, goes before the command, e.g. PATH=...).
start_viewer() {
  SESSION=$1
  shift
  local args=""
  for a in "$@"; do args="$args '$a'"; done
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
  T send-keys -t "$SESSION" -l "cd '$WORK'; clear; ${VIEWER_ENV:-} '$BIN'$args; echo \"viewer-exit=\$?\""
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
wait_for 'Files 1/6' "the browser pane"
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
wait_for 'Files 6/6' "the panes again at 160x48"
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
  wait_for 'Files 1/6' "the viewer (for SIG$name)"
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

# ---- Sessions 6-7: an error thrown inside the loop, and a Swift runtime trap (an index out of range,
# SIGILL on x86-64), both through the POSESCOPE_TEST_DIE hook once the first pose is drawn.
VIEWER_ENV="POSESCOPE_TEST_DIE=throw" start_viewer diethrow
wait_for '^viewer-exit=1' "exit status 1 after the thrown error"
check_terminal_restored "after an error thrown in the loop"
wait_for '^Error: POSESCOPE_TEST_DIE=throw' "the error message after the terminal came back"
ok "an error thrown inside the viewer ends it with the message and status 1, terminal in normal mode"
VIEWER_ENV="POSESCOPE_TEST_DIE=trap" start_viewer dietrap
wait_for '^viewer-exit=(132|133)' "exit status 132 (SIGILL) or 133 (SIGTRAP) after the trap"
check_terminal_restored "after a Swift runtime trap"
ok "a Swift runtime trap ends the viewer by its signal and the terminal is back in normal mode"

# ---- Session 8: the sample video (30 fps, 230 frames, 1768x994, keyframes every 60 frames; nobody in
# frames 1-3 and 5, the runner from frame 6 on).
start_viewer video "$VIDEO"
wait_for 'Files 1/1' "the browser with the video"
wait_for '> sports2d_demo\.mp4 +([0-9]+/230|230 fr)' "the video in the file list with its frame count"
wait_for 'sports2d_demo\.mp4 │ frame 1/230 30 fps │ t 0\.00 s' "frame 1/230 at 30 fps and t 0.00 s"
wait_for 'sports2d_demo\.mp4 1768×994' "the image of frame 1"
wait_for 'no person found' "frame 1 estimated (nobody in it)"
ok "the video opens as an item with its frame count, first frame, frame and time in the status bar"
T send-keys -t "$SESSION" .
wait_for 'frame 2/230 30 fps │ t 0\.03 s' "frame 2/230 at 0.03 s after ."
T send-keys -t "$SESSION" ]
wait_for 'frame 12/230 30 fps │ t 0\.37 s' "frame 12/230 at 0.37 s after ]"
wait_for 'sports2d_demo\.mp4 1768×994 · score' "the first pose of the video (frame 12)"
wait_for '│  bone +len +ref' "the bone table rows for the video"
T send-keys -t "$SESSION" ,
wait_for 'frame 11/230 30 fps │ t 0\.33 s' "frame 11/230 at 0.33 s after ,"
ok ". ] , step and jump through the video (frame counter, time and pose follow)"
# A jump far ahead of the estimator: the frame is decoded by seeking, its picture differs from frame 11's.
wait_for 'sports2d_demo\.mp4 1768×994' "the image of frame 11"
pane_colors "sports2d_demo.mp4 1768" >"$WORK/video-frame11.txt"
grep -q '▀' "$WORK/video-frame11.txt" || fail "no half-block image in the video's image pane"
T send-keys -t "$SESSION" ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] ] ]
wait_for 'frame 201/230 30 fps │ t 6\.67 s' "frame 201/230 at 6.67 s after 19 jumps"
wait_pane_change "sports2d_demo.mp4 1768" "$WORK/video-frame11.txt" "the image of frame 201 (seek)" pane_colors
# The estimator goes through the video in order (tracking): until it gets here the 3D pane says how far it is.
wait_for 'estimating… [0-9]+/230 frames done|sports2d_demo\.mp4 1768×994 · score|no person found' \
  "the 3D pane at frame 201"
T send-keys -t "$SESSION" [
wait_for 'frame 191/230 30 fps │ t 6\.33 s' "frame 191/230 at 6.33 s after ["
ok "] and [ seek far ahead of the estimator; the image follows, the time is frame / fps"
T send-keys -t "$SESSION" [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [ [
wait_for 'frame 11/230 30 fps │ t 0\.33 s' "frame 11/230 after 18 jumps back"
wait_for 'sports2d_demo\.mp4 1768×994 · score' "the pose of frame 11 again"
T send-keys -t "$SESSION" Space
wait_for 'frame (1[3-9]|[2-9][0-9]|[12][0-9][0-9])/230 ▶ 30 fps' "playback of the video past frame 12"
T send-keys -t "$SESSION" Space
wait_gone '/230 ▶' "playback to pause"
ok "Space plays and pauses the video at its own rate"
T send-keys -t "$SESSION" e
wait_for 'exported [0-9]+(/230 frames \(estimation still running\)| frames) to \./sports2d_demo\.mp4\.pose\.json' \
  "the export message for the video"
python3 - "$WORK/sports2d_demo.mp4.pose.json" <<'PY' || fail "the export of the video has no valid time_s"
import json, sys
doc = json.load(open(sys.argv[1]))
frames = doc["frames"]
assert doc["schema"] == 1 and frames, doc.keys()
for f in frames:
    assert f["file"].endswith("sports2d_demo.mp4") and f["sequence"] == f["file"], f["file"]
    assert abs(f["time_s"] - f["frame"] / 30) < 1e-6, (f["frame"], f["time_s"])
assert frames[0]["frame"] == 0 and not frames[0]["person"], frames[0]
posed = [f for f in frames if f["person"]]
assert posed and all(len(f["h36m17"]) == 17 for f in posed), len(posed)
PY
ok "e exports the video's frames as estimate JSON with time_s = frame / fps"
T send-keys -t "$SESSION" q
check_terminal_restored "after q (video)"
wait_for '^viewer-exit=0' "exit status 0 after q (video)"
ok "q quits the video session with status 0 and the terminal restored"

# ---- Session 6b: an unsupervised lifter file as the second 3D source (view --lifter), named as such.
UNSUP="$(pwd)/assets/lifter/posescope-unsupervised-h36m17.safetensors"
[ -f "$UNSUP" ] || fail "the shipped unsupervised lifter $UNSUP is missing"
start_viewer unsup --lifter "$UNSUP" "$SAMPLES/images/bus.jpg"
wait_for 'bus\.jpg 810×1080 · score' "the pose of bus.jpg (unsupervised lifter)"
T send-keys -t "$SESSION" s
wait_for '3D unsupervised student · H36M-17' "the unsupervised student as the 3D source after s"
T send-keys -t "$SESSION" q
check_terminal_restored "after q (unsupervised lifter)"
wait_for '^viewer-exit=0' "exit status 0 after q (unsupervised lifter)"
ok "view --lifter takes an unsupervised lifter file and names the source after it"

# ---- Session 7: the video without ffmpeg on PATH: the item says how to install it, nothing crashes.
VIEWER_ENV="PATH=/nonexistent" start_viewer noffmpeg "$VIDEO"
wait_for 'Files 1/1' "the browser (no ffmpeg)"
wait_for '> sports2d_demo\.mp4 +error' "the video marked as an error in the file list"
wait_for 'sudo apt-get install ffmpeg' "the install hint on screen"
T send-keys -t "$SESSION" . Space
wait_for 'play needs|frame 1/1' "the viewer to handle keys without ffmpeg"
[ "$(pane_command)" = posescope ] || fail "the viewer is not running without ffmpeg"
T send-keys -t "$SESSION" q
check_terminal_restored "after q (no ffmpeg)"
wait_for '^viewer-exit=0' "exit status 0 after q (no ffmpeg)"
ok "without ffmpeg the video item shows the install hint and the viewer keeps working"

echo "viewer e2e: all $STEP checks passed"
