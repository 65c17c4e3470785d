#!/usr/bin/env bash
# The recipe's data, one command (about 1 minute): recordings (fetched when missing), their log-mel and index,
# captions and the held-out split, MiniLM token states of every caption, rendered scenes with motion features.
#   recipe/prepare.sh [SOUNDS_DIR]     (default: $FOLEY4J_HOME/sounds, else .cache/foley4j/sounds)
# SCENES picks the rendered scenes: a mix of kinds (default bouncing:20,sliding:10,stepping:10,door:10, v2's set)
# or a count of bouncing ones (20 with MOTION_FEATURES=2: v0 and v1's set), e.g.
#   SCENES=bouncing:8,sliding:6,stepping:6,door:6 recipe/prepare.sh
# Scenes carry 3 motion features per frame (MOTION_FEATURES=2 for the older 2): train.py timing --features 2 uses the
# first 2 (luma change, contact), --features 3 adds the motion stop (io.foley4j.pipeline.motion.MotionStop).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SOUNDS="${1:-${FOLEY4J_HOME:-$ROOT/.cache/foley4j}/sounds}"
[ -d "$SOUNDS/minetest-data" ] || scripts/fetch-sounds.sh "$SOUNDS"
recipe/java.sh clips "$SOUNDS" recipe/work/data
/usr/bin/python3 recipe/data.py
recipe/java.sh text recipe/work/data/captions.txt 16 recipe/work/data/text.safetensors
recipe/java.sh scenes "${SCENES:-bouncing:20,sliding:10,stepping:10,door:10}" 6 24 100 recipe/work/scenes "${MOTION_FEATURES:-3}"
