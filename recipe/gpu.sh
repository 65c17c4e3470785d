#!/bin/bash
# Trains several timbre (DiT) variants side by side on one CUDA GPU, each for a wall-clock budget, and exports each
# as a FoleyNet folder with an existing aligner checkpoint (timing is a CPU-minute job; it is not retrained here).
#
#   recipe/gpu.sh OUTDIR MINUTES NAME:ARGS [NAME:ARGS ...]
#   e.g. recipe/gpu.sh /tmp/out 7 "a:--hidden 128 --depth 3" "b:--hidden 192 --depth 4"
#
# Needs recipe/work/data (recipe/prepare.sh) and recipe/work/ckpt/timing.pt (train.py timing; or TIMING=path).
# Each variant gets recipe/work/gpu-NAME/ (checkpoint, log) and OUTDIR/NAME.tar (the exported folder, split into
# parts of 15 MB when larger: cat NAME.tar.* | tar x). Seeded like the CPU run, but CUDA kernels are not bitwise
# reproducible: the step count a budget chose is logged, and `train.py timbre --device cuda --steps N` repeats it.
set -euo pipefail
cd "$(dirname "$0")"
out=$1; minutes=$2; shift 2
timing=${TIMING:-work/ckpt/timing.pt}
mkdir -p "$out"
export PYTHONUNBUFFERED=1
py=${PYTHON:-python3}
pids=()
for spec in "$@"; do
  name=${spec%%:*}; args=${spec#*:}
  mkdir -p "work/gpu-$name"
  cp "$timing" "work/gpu-$name/timing.pt"
  # shellcheck disable=SC2086
  "$py" train.py timbre --device "${DEVICE:-cuda}" --batch "${BATCH:-64}" --steps 1000000 --cosine --minutes "$minutes" --log 1000 \
      --every 5000 --ckpt "work/gpu-$name" $args > "work/gpu-$name/run.log" 2>&1 &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
for spec in "$@"; do
  name=${spec%%:*}
  "$py" export.py "work/export-$name" --name "foleynet-$name" --ckpt "work/gpu-$name" >> "work/gpu-$name/run.log" 2>&1 || status=1
  echo "== $name: ${spec#*:}"; cat "work/gpu-$name/run.log"
  tar -C work -cf "$out/$name.tar" "export-$name"
  if [ "$(stat -c %s "$out/$name.tar")" -gt 15728640 ]; then
    split -b 15M -d "$out/$name.tar" "$out/$name.tar."
    rm "$out/$name.tar"
  fi
done
exit $status
