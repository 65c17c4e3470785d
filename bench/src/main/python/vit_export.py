#!/usr/bin/python3
"""Bench models for io.foley4j.bench.VitBench (Debian's python3-torch 1.13; run by the bench when files are missing):

    /usr/bin/python3 vit_export.py {b16|l14} OUT_DIR

Builds CLIP ViT-B/16 or ViT-L/14 at 224 (CLIPVisionModelWithProjection geometry) with the fixed hash weights of
models/src/test/resources/vit/make_reference.py (same modules, same weights as the parity tests; nothing random from
torch's RNG), and writes into OUT_DIR (never committed; ~0.35 GB for B/16, ~1.2 GB for L/14, each file twice):
  clip_{tag}.safetensors   Hugging Face tensor names, F32: what HfVitConverter reads
  clip_{tag}.onnx          torch.onnx.export of the same module, opset 17, dynamic batch:
                           input pixel_values [batch, 3, 224, 224] -> last_hidden_state [batch, T, D],
                           pooler_output [batch, D], image_embeds [batch, projection]
Files are written under a temporary name and renamed when complete, so an interrupted run leaves nothing usable.
"""
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "models", "src", "test", "resources", "vit"))
import make_reference as ref  # noqa: E402  (the HF-shaped modules and hash weights)

CONFIGS = {
    "b16": ref.CLIP_B16,
    "l14": dict(kind="clip", image_size=224, patch_size=14, hidden=1024, layers=24, heads=16, mlp=4096, proj=768,
                act="quick_gelu", eps=1e-5),
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in CONFIGS:
        sys.exit("usage: vit_export.py {b16|l14} OUT_DIR")
    tag, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    torch.set_grad_enabled(False)
    c = CONFIGS[tag]
    model = ref.build(c)
    base = os.path.join(out, "clip_" + tag)

    st = dict(model.state_dict())
    ref.write_safetensors(base + ".safetensors.part", st, {"format": "pt", "source": "vit_export.py " + tag})
    os.replace(base + ".safetensors.part", base + ".safetensors")

    px = torch.zeros(1, 3, c["image_size"], c["image_size"])
    torch.onnx.export(model, (px,), base + ".onnx.part", opset_version=17, do_constant_folding=True,
                      input_names=["pixel_values"],
                      output_names=["last_hidden_state", "pooler_output", "image_embeds"],
                      dynamic_axes={"pixel_values": {0: "batch"}, "last_hidden_state": {0: "batch"},
                                    "pooler_output": {0: "batch"}, "image_embeds": {0: "batch"}})
    os.replace(base + ".onnx.part", base + ".onnx")
    print("wrote", base + ".safetensors", base + ".onnx")


if __name__ == "__main__":
    main()
