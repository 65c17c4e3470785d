#!/usr/bin/python3
"""The PyTorch reference pipeline of an exported FoleyNet folder, for the Java parity test.

  /usr/bin/python3 recipe/parity.py            writes the committed test data under
                                               pipeline/src/test/resources/recipe/ (a tiny v0-layout model with
                                               fixed random weights, exported by export.py, and its reference)
  /usr/bin/python3 recipe/parity.py --model DIR --out REF.safetensors
                                               the same reference for any exported folder (e.g. the trained model)

The reference loads the folder exactly as the engine does (foleynet.json, decoder.safetensors, aligner.safetensors;
every tensor must be used), runs aligner -> interpolation -> DiT DPM-Solver++(2M) with guidance from the
GaussianNoise stream of `seed` -> log-mel (NeuralFoley.mel, one window), and writes:
  feats [F, 2]        the motion features fed to the aligner (frames of a rendered BouncingScene at video.fps)
  tokens [2, S, 384]  the MiniLM token states of the prompt and of "" (dumped by the Java encoder: recipe/java.sh text)
  cond [T, condDim]   the aligner's conditioning at the mel rate
  mel [T, nMels]      the sampled log-mel (normalization undone), what the vocoder receives
  metadata: prompt, seconds, steps, cfg, seed
Text token states come from recipe/work/data/text.safetensors and captions.txt; scenes from recipe/work/scenes.
"""
import argparse
import json
import os

import numpy as np
import torch

import data
import export
import model as M
import st
import train

ROOT = os.path.dirname(data.HERE)
RES = os.path.join(ROOT, "pipeline", "src", "test", "resources", "recipe")


def load_folder(d):
    cfg = json.load(open(os.path.join(d, "foleynet.json")))
    dj = cfg["decoder"]["dit"]
    c = M.DitCfg(dj["inChannels"], dj["patch"], dj["hidden"], dj["heads"], dj["depth"], dj["mlpHidden"],
                 dj["textDim"], dj["condDim"], dj["freqDim"], dj["maxFrames"], dj["maxTextTokens"], dj["maxBatch"],
                 dj["lstm"], dj["eps"])
    dit = M.Dit(c, zero_init=False)
    w, _ = st.read(os.path.join(d, cfg["decoder"]["file"]))
    dit.load_state_dict({k: torch.from_numpy(v) for k, v in w.items()}, strict=True)
    a = cfg["aligner"]
    al = M.Aligner(a["inputDim"], a["hidden"], a["bidirectional"], a["outputDim"])
    w, _ = st.read(os.path.join(d, a["file"]))
    al.load_state_dict({k: torch.from_numpy(v) for k, v in w.items()}, strict=True)
    return cfg, dit.eval(), al.eval()


def tokens_of(prompt):
    caps = open(os.path.join(data.DATA, "captions.txt")).read().split("\n")
    t, _ = st.read(os.path.join(data.DATA, "text.safetensors"))
    i = caps.index(prompt)
    return t["tokens"][[i, 0]], t["mask"][[i, 0]]


def reference(d, prompt, seconds, steps, cfg_scale, seed, scene=0):
    cfg, dit, al = load_folder(d)
    fps = cfg["video"]["fps"]
    sc, _ = st.read(os.path.join(data.WORK, "scenes", "scenes.safetensors"))
    nf = int(round(seconds * fps))
    feats = sc["feat.%d" % scene][:nf, :cfg["aligner"]["inputDim"]].copy()    # the model's motion features
    tok, mask = tokens_of(prompt)
    s = cfg["sampler"]
    mel, cond = M.sample_mel(dit, al, feats, fps, cfg["decoder"]["frameRate"], seconds, torch.from_numpy(tok[0]),
                             torch.from_numpy(mask[0]), torch.from_numpy(tok[1]), torch.from_numpy(mask[1]), cfg_scale,
                             steps, seed, M.Schedule(s["trainSteps"], s["betaStart"], s["betaEnd"]),
                             cfg["decoder"]["melScale"], cfg["decoder"]["melShift"], s["prediction"])
    return {"feats": feats, "tokens": tok, "cond": cond, "mel": mel}, \
        {"prompt": prompt, "seconds": seconds, "steps": steps, "cfg": cfg_scale, "seed": seed}


def tiny(out):
    """The v0 layout at toy size with fixed random (not zero-initialized) weights."""
    torch.manual_seed(20261124)
    c = M.DitCfg(in_channels=64, patch=2, hidden=32, heads=2, depth=2, mlp_hidden=64, text_dim=384, cond_dim=1,
                 freq_dim=32, max_frames=64, max_text_tokens=16, max_batch=2, lstm=False)
    dit = M.Dit(c, zero_init=False)
    with torch.no_grad():
        for p in dit.parameters():   # larger biases and modulations than PyTorch's init: every path matters
            p.add_(0.05 * torch.randn(p.shape))
    al = train.ScaledAligner([100.0, 1.0])
    al.net = M.Aligner(2, 8, True, 1)
    cfg = export.config("parity-tiny", c.to_json(), 2.5, -6.0, steps=6, cfg=3.0, iterations=4, fps=24.0,
                        aligner_hidden=8)
    export.write(out, cfg, dit.state_dict(), al.folded(), "recipe/parity.py tiny (fixed random weights)")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--model")
    p.add_argument("--out")
    p.add_argument("--prompt", default="glass shatters")
    p.add_argument("--seconds", type=float, default=0.6)
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--cfg", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()
    torch.set_num_threads(1)
    model_dir, out = a.model, a.out
    if model_dir is None:
        model_dir, out = os.path.join(RES, "tiny"), os.path.join(RES, "parity_reference.safetensors")
        tiny(model_dir)
    r, meta = reference(model_dir, a.prompt, a.seconds, a.steps, a.cfg, a.seed)
    st.write(out, r, meta)
    print(f"wrote {out}: mel {r['mel'].shape}, range [{r['mel'].min():.3f}, {r['mel'].max():.3f}]")
