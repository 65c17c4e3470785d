#!/usr/bin/python3
"""Exports trained checkpoints as a FoleyNet folder that `bin/foley generate --model DIR` loads:

  /usr/bin/python3 recipe/export.py DIR [--steps 25] [--cfg 2.0] [--iterations 32]
  /usr/bin/python3 recipe/export.py DIR --aligner-into EXPORTED [--ckpt CKPT]     (a new aligner, the rest kept)

reads recipe/work/ckpt/timbre.pt and timing.pt and writes DIR/foleynet.json (FoleyNetConfig's schema; video.
motionFeatures and aligner.inputDim from the timing checkpoint: 2, or 3 after `train.py timing --features 3`),
DIR/decoder.safetensors (DitWeights' names) and DIR/aligner.safetensors (Aligner's names, the input scale folded
into the LSTM's input weights). Vocoder: griffin-lim (no weights) over the training mel definition.
"""
import argparse
import json
import os
import shutil

import torch

import data
import st


def config(name, dit_json, mel_scale, mel_shift, steps=25, cfg=3.0, iterations=32, fps=24.0, aligner_hidden=32,
           mel_max=None, motion_features=2):
    return {
        "format": "foleynet/1",
        "name": name,
        "video": {"fps": fps, "vit": None, "motion": True, "motionFeatures": motion_features},
        "text": {"encoder": "minilm", "maxTokens": dit_json["maxTextTokens"]},
        "aligner": {"file": "aligner.safetensors", "inputDim": motion_features, "hidden": aligner_hidden, "bidirectional": True,
                    "outputDim": dit_json["condDim"]},
        "decoder": {"file": "decoder.safetensors", "dit": dit_json, "frameRate": data.FRAME_RATE,
                    "melScale": mel_scale, "melShift": mel_shift, "melMax": mel_max},
        "sampler": {"method": "dpm++2m", "steps": steps, "cfg": cfg, "prediction": "v", "trainSteps": 1000,
                    "betaStart": 1e-4, "betaEnd": 0.02, "eta": 0.0},
        "vocoder": {"kind": "griffin-lim", "file": None, "sampleRate": data.SAMPLE_RATE, "nFft": 2048,
                    "hop": data.HOP, "nMels": data.N_MELS, "fMin": 0.0, "fMax": 24000.0, "iterations": iterations,
                    "dim": 0, "intermediate": 0, "layers": 0, "maxFrames": 0},
    }


def write(out, cfg, dit_state, aligner_state, source):
    os.makedirs(out, exist_ok=True)
    meta = {"source": source}
    st.write(os.path.join(out, "decoder.safetensors"), {k: v.numpy() for k, v in dit_state.items()}, meta)
    st.write(os.path.join(out, "aligner.safetensors"), {k: v.numpy() for k, v in aligner_state.items()}, meta)
    with open(os.path.join(out, "foleynet.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    import train

    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--name", default="foleynet-v0")
    p.add_argument("--steps", type=int, default=25)
    p.add_argument("--cfg", type=float, default=2.0)
    p.add_argument("--iterations", type=int, default=32)
    p.add_argument("--ckpt", default=train.CKPT, help="checkpoint folder (default recipe/work/ckpt)")
    p.add_argument("--aligner-into", default=None, metavar="DIR",
                   help="only replace the aligner: DIR, an exported folder, is copied to OUT with the aligner of "
                        "CKPT/timing.pt (foleynet.json's video.motionFeatures and aligner.inputDim follow it)")
    a = p.parse_args()
    tm = torch.load(os.path.join(a.ckpt, "timing.pt"))
    features = tm["model"]["scale"].numel()                 # the motion features the aligner was trained on
    al = train.ScaledAligner([1.0] * features)
    al.load_state_dict(tm["model"])
    if a.aligner_into:
        c = json.load(open(os.path.join(a.aligner_into, "foleynet.json")))
        c["video"]["motionFeatures"] = features
        c["aligner"]["inputDim"] = features
        os.makedirs(a.out, exist_ok=True)
        for f in os.listdir(a.aligner_into):
            if f not in ("foleynet.json", c["aligner"]["file"]):
                shutil.copyfile(os.path.join(a.aligner_into, f), os.path.join(a.out, f))
        st.write(os.path.join(a.out, c["aligner"]["file"]), {k: v.numpy() for k, v in al.folded().items()},
                 {"source": f"recipe/train.py timing step {tm['step']} ({features} motion features)"})
        with open(os.path.join(a.out, "foleynet.json"), "w") as f:
            json.dump(c, f, indent=2)
            f.write("\n")
        print(f"wrote {a.out}: {a.aligner_into} with aligner step {tm['step']} ({features} motion features)")
        raise SystemExit(0)
    tb = torch.load(os.path.join(a.ckpt, "timbre.pt"))
    # the decoder's output is capped at the loudest log-mel of the training recordings: past it the decoder
    # overshoots (peaks of 5-12.5), and the cap took the envelope correlation from 0.61-0.92 to 0.91-0.96
    mels = st.read(os.path.join(data.WORK, "data", "mels.safetensors"))
    mels = mels[0] if isinstance(mels, tuple) else mels
    mel_max = float(max(float(v.max()) for v in mels.values()))
    c = config(a.name, tb["config"], tb["mel_scale"], tb["mel_shift"], a.steps, a.cfg, a.iterations,
               train.ALIGNER_FPS, mel_max=mel_max, motion_features=features)
    write(a.out, c, tb["model"], al.folded(),
          f"recipe/train.py timbre step {tb['step']}, timing step {tm['step']} ({features} motion features)")
    print(f"wrote {a.out}: decoder step {tb['step']}, aligner step {tm['step']} ({features} motion features)")
