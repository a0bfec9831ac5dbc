#!/usr/bin/env bash
# Regenerates the screenshots in docs/ from the release binary, under Xvfb (no display is
# needed). Needs: apt-get install -y xvfb mesa-vulkan-drivers libxkbcommon-x11-0
# Usage: tools/screenshots.sh            (from the repository root, after cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./target/release/downhill
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 1; }
if [ -z "${DISPLAY:-}" ]; then
  Xvfb :97 -screen 0 1920x1200x24 >/dev/null 2>&1 &
  xvfb=$!
  trap 'kill $xvfb' EXIT
  export DISPLAY=:97
  sleep 2
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
shot() { timeout 120 "$bin" app "$@" >/dev/null; }

# README's pictures.
shot --preset momentum-ravine --steps 400 --screenshot docs/explorer-ravine.png
shot --preset ill-conditioning --steps 150 --screenshot docs/explorer-ill-conditioning.png
shot --preset himmelblau --steps 120 --screenshot docs/explorer-himmelblau.png
shot --preset saddle --steps 150 --view split --screenshot docs/split-saddle.png
shot --preset himmelblau --steps 120 --view 3d --screenshot docs/surface-himmelblau.png
shot --function 'x^4 - 2*x^2 + y^2 + 0.3*x' --optimizer newton,adam,gd --hp lr=0.1 --start 2,2.2 \
  --steps 60 --view split --screenshot docs/formula-split.png
shot --preset batch-sizes --steps 150 --screenshot docs/data-batch-sizes.png
shot --preset raw-features --steps 300 --screenshot docs/data-raw-features.png
shot --preset momentum-ravine --steps 60 --inspect 2 --screenshot docs/explain-step.png
shot --view train --model-spec moons-mlp --screenshot docs/train-moons.png
shot --view train --model-spec digits-mlp --epochs 30 --screenshot docs/train-digits.png

# The lecture presets at a projector's 1280×800, each at a step that shows its lesson.
mkdir -p docs/presets
for entry in learning-rate:200 momentum-ravine:600 saddle:150 himmelblau:120 rastrigin:1500 \
             ill-conditioning:150 beale:500 newton:100 plateau-cliff:60 batch-sizes:150 \
             raw-features:300 sgd-schedule:600; do
  name=${entry%%:*}; steps=${entry##*:}
  shot --preset "$name" --steps "$steps" --size 1280x800 --screenshot "docs/presets/$name.png"
done
echo "screenshots written to docs/"
