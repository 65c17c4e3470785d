#!/usr/bin/env bash
# Fetches reference models that tests read but git does not hold (idempotent; nothing is copied into git).
#   .cache/testdata/silero_vad_v5.onnx  Silero VAD v5 (MIT) from npm @ricky0123/vad-web@0.0.31, dist/
# Usage: scripts/fetch-test-data.sh   (from anywhere; writes under the repository root)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.cache/testdata"
mkdir -p "$dest"
# the folder ignores itself, so no root .gitignore entry is needed
[ -f "$root/.cache/.gitignore" ] || echo "*" > "$root/.cache/.gitignore"

if [ ! -s "$dest/silero_vad_v5.onnx" ]; then
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent @ricky0123/vad-web@0.0.31 >/dev/null && tar -xzf ricky0123-vad-web-0.0.31.tgz)
    cp "$tmp/package/dist/silero_vad_v5.onnx" "$dest/silero_vad_v5.onnx.part"
    cp "$tmp/package/LICENSE" "$dest/silero_vad_v5.LICENSE" 2>/dev/null || true
    mv "$dest/silero_vad_v5.onnx.part" "$dest/silero_vad_v5.onnx"
fi
echo "test data in $dest:"
ls -l "$dest"
