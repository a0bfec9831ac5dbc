#!/usr/bin/env bash
# Regenerates the screenshots in docs/ and the preset gallery docs/PRESETS.md from the release
# binary, under Xvfb (no display is needed). Needs: apt-get install -y xvfb mesa-vulkan-drivers
# libxkbcommon-x11-0, and python3 (3.11+, for tomllib) to write PRESETS.md.
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

# README's pictures: the app as a lecturer preparing a lesson sees it (1440×900, every panel).
shot --preset momentum-ravine --screenshot docs/explorer-ravine.png
shot --preset ill-conditioning --screenshot docs/explorer-ill-conditioning.png
shot --preset himmelblau --screenshot docs/explorer-himmelblau.png
shot --preset saddle --view split --screenshot docs/split-saddle.png
shot --preset himmelblau --view 3d --screenshot docs/surface-himmelblau.png
shot --function 'x^4 - 2*x^2 + y^2 + 0.3*x' --optimizer newton,adam,gd --hp lr=0.1 --start 2,2.2 \
  --steps 60 --view split --screenshot docs/formula-split.png
shot --preset batch-sizes --screenshot docs/data-batch-sizes.png
shot --preset raw-features --screenshot docs/data-raw-features.png
shot --preset momentum-ravine --inspect 2 --screenshot docs/explain-step.png
shot --view train --model-spec moons-mlp --screenshot docs/train-moons.png
shot --view train --model-spec digits-mlp --epochs 30 --screenshot docs/train-digits.png
# What the class sees: presentation mode at a projector's 1280×800.
shot --preset beale --present --size 1280x800 --screenshot docs/present-beale.png

# Every preset, and every slide of the shipped deck that is not one, as the class sees it: a
# projector's 1280×800 in presentation mode, at the step the lesson stops at.
mkdir -p docs/presets
names=$(cd assets/scenes && ls *.toml | sed 's/\.toml$//')
for name in $names; do
  shot --preset "$name" --present --size 1280x800 --screenshot "docs/presets/$name.png"
done
slides=$(python3 - <<'PY'
import tomllib
deck = tomllib.load(open("assets/decks/lecture.toml", "rb"))
print(" ".join(str(k + 1) for k, s in enumerate(deck["slides"]) if "preset" not in s))
PY
)
for n in $slides; do
  shot --deck lecture --slide "$n" --size 1280x800 --screenshot "docs/presets/slide-$n.png"
done

# The gallery, from the scene files and the deck (titles and captions as the app shows them).
python3 - <<'PY' > docs/PRESETS.md
import tomllib, os
order = ["learning-rate", "momentum-ravine", "saddle", "himmelblau", "rastrigin",
         "ill-conditioning", "beale", "newton", "plateau-cliff", "batch-sizes",
         "raw-features", "sgd-schedule"]
keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "="]
names = sorted(n[:-5] for n in os.listdir("assets/scenes") if n.endswith(".toml"))
order += [n for n in names if n not in order]
print("# The lecture presets\n")
print("Each preset is a scene file in `assets/scenes/` (keys 1–9, 0, - and = in the app, "
      "`downhill app --preset NAME`, `downhill run --preset NAME` headless). Its caption is a "
      "claim, and `tests/it/lessons.rs` checks it at the preset's lesson step, where playing "
      "it stops. The pictures are what a class sees: the app at a projector's 1280×800 in "
      "presentation mode at that step, made by `tools/screenshots.sh` (which writes this page "
      "too); `tests/it/pictures.rs` checks every racer shows in them and nothing is cut off.\n")
for k, name in enumerate(order):
    s = tomllib.load(open(f"assets/scenes/{name}.toml", "rb"))
    step = s.get("view", {}).get("step", 0)
    key = keys[k] if k < len(keys) else ""
    print(f"## {key}. {s['title']}\n\n{s['caption']}\n")
    print(f"![{s['title']}, at step {step}](presets/{name}.png)\n")
deck = tomllib.load(open("assets/decks/lecture.toml", "rb"))
print("## Slides of the lecture deck that are not presets\n")
print("`downhill app --deck lecture` presents every preset above and these, in teaching order "
      "(`--slide N` opens on slide N).\n")
for n, slide in enumerate(deck["slides"], 1):
    if "preset" in slide:
        continue
    print(f"### Slide {n}. {slide.get('title', '')}\n\n{slide.get('caption', '')}\n")
    print(f"![Slide {n}](presets/slide-{n}.png)\n")
PY
echo "screenshots written to docs/"
