#!/bin/bash
# Trains the Vocos vocoder (recipe/vocos.py) on one CUDA GPU for a wall-clock budget and exports it beside a copy of
# recipe/foleynet-v2; run from anywhere in the repository:
#
#   recipe/vocos_gpu.sh OUTDIR MINUTES [vocos.py train ARGS...]      e.g. recipe/vocos_gpu.sh /tmp/out 8 --gan
#
# Needs recipe/work/data (recipe/prepare.sh) and recipe/work/waves/waves.safetensors
# (recipe/java.sh waves SOUNDS recipe/work/waves). Writes recipe/work/vocos-gpu/ (checkpoint vocos.pt, vocos.log,
# run.log), recipe/work/foleynet-v2-vocos/ (foleynet-v2 with vocoder.kind "vocos") and OUTDIR/vocos.tar: the folder
# vocos-export/ with vocoder.safetensors, foleynet.json (v2's, vocoder entry set), the training log and
# vocos_parity.safetensors (PyTorch audio of a held-out clip's mel, for `recipe/java.sh vocos MODEL REF`); split into
# 15 MB parts when larger (cat vocos.tar.* | tar x). Seeded, but CUDA kernels are not bitwise reproducible: the step
# count the budget chose is logged, and `vocos.py train --device cuda --steps N` repeats the run.
# RESUME=1 continues recipe/work/vocos-gpu instead of starting over; BATCH (default 32), DEVICE, PYTHON override.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1; minutes=$2; shift 2
py=${PYTHON:-python3}
ck=recipe/work/vocos-gpu
model=recipe/work/foleynet-v2-vocos
exp=recipe/work/vocos-export
[ "${RESUME:-0}" = 1 ] || rm -rf "$ck"
mkdir -p "$out" "$ck"
export PYTHONUNBUFFERED=1
"$py" recipe/vocos.py train --device "${DEVICE:-cuda}" --batch "${BATCH:-32}" --steps 1000000 --minutes "$minutes" \
    --log 250 --every 2000 --ckpt "$ck" "$@" 2>&1 | tee -a "$ck/run.log"
rm -rf "$model" "$exp"
cp -r recipe/foleynet-v2 "$model"
"$py" recipe/vocos.py export "$ck" "$model" 2>&1 | tee -a "$ck/run.log"
"$py" recipe/vocos.py parity "$model" "$model/vocos_parity.safetensors" 2>&1 | tee -a "$ck/run.log"
mkdir -p "$exp"
cp "$model/vocoder.safetensors" "$model/foleynet.json" "$model/vocos_parity.safetensors" "$ck/run.log" "$exp/"
tar -C recipe/work -cf "$out/vocos.tar" vocos-export
if [ "$(stat -c %s "$out/vocos.tar")" -gt 15728640 ]; then
  split -b 15M -d "$out/vocos.tar" "$out/vocos.tar."
  rm "$out/vocos.tar"
fi
ls -la "$out"
