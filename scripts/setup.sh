#!/usr/bin/env bash
# Set up a Debian machine for PoseScope: system packages (when missing), then the models and sample media.
#   scripts/setup.sh            installs what is missing, fetches models and samples
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have_pc() { pkg-config --exists "$1" 2>/dev/null; }
command -v pkg-config >/dev/null || need+=(pkg-config)
have_pc ncursesw || need+=(libncurses-dev)
have_pc libpng || need+=(libpng-dev)
have_pc libturbojpeg || need+=(libturbojpeg0-dev)
have_pc openblas || need+=(libopenblas-dev)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v unzip >/dev/null || need+=(unzip)
command -v tmux >/dev/null || need+=(tmux)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)

if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: run as root or install: ${need[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

scripts/fetch-assets.sh all
