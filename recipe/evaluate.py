#!/usr/bin/python3
"""Spectrogram pictures of an exported FoleyNet on a held-out rendered scene (the metrics are measured in Java by
`bin/foley evaluate`, which also covers this scene).

  /usr/bin/python3 recipe/evaluate.py MODEL_DIR [--scene 19] [--seed 1]

For one rendered BouncingScene (default: scene 19, held out from the timing stage) and 8 prompts, runs
RecipeDump generate (NeuralFoley, FP32, the same code as `bin/foley generate --model MODEL_DIR`) and writes one PNG
per prompt into MODEL_DIR/../eval/: top: the conditioning envelope (the aligner's output at the mel rate, computed
here by the PyTorch aligner from the exported weights) in green, the generated track's envelope (data.envelope of its
log-mel) in white, contact times as red ticks; middle: the decoder's log-mel (NeuralFoley.mel, before the vocoder);
bottom: the log-mel of the generated 48 kHz track; low bands at the bottom, colour from the log floor -11.5 to 2.
"""
import argparse
import os
import struct
import subprocess
import zlib

import numpy as np
import torch

import data
import model as M
import parity
import st

PROMPTS = ["footsteps on gravel", "glass shatters", "metal clang", "wooden door closes", "explosion",
           "fire crackles", "water flows", "pickaxe hits stone"]


def png(path, rgb):
    """rgb [H, W, 3] uint8 -> PNG (no image library here)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def colormap(v):
    """v in [0, 1] -> a dark-blue..yellow ramp [.., 3] uint8."""
    stops = np.array([[0, 0, 20], [60, 20, 110], [180, 50, 90], [250, 140, 30], [252, 250, 160]], np.float64)
    x = np.clip(v, 0, 1) * (len(stops) - 1)
    i = np.minimum(x.astype(int), len(stops) - 2)
    f = (x - i)[..., None]
    return ((1 - f) * stops[i] + f * stops[i + 1]).astype(np.uint8)


def spectrogram(mel, t):
    m = np.full((t, mel.shape[1]), data.LOG_FLOOR, np.float32)
    m[:min(t, len(mel))] = mel[:t]
    spec = colormap((m[:, ::-1].T - data.LOG_FLOOR) / (2.0 - data.LOG_FLOOR))     # [64, T, 3] high bands on top
    return np.repeat(spec, 2, axis=0)


def picture(mel, dec, cond, gen_env, contacts, rate):
    t = mel.shape[0]
    plot = np.zeros((48, t, 3), np.uint8)
    for x in range(t):
        for env, colour in ((cond, (60, 220, 60)), (gen_env, (255, 255, 255))):
            y = 47 - int(round(float(np.clip(env[x], 0, 1)) * 44))
            plot[y, x] = colour
    for tc, _ in contacts:
        x = int(round(tc * rate))
        if 0 <= x < t:
            plot[:6, x] = (230, 40, 40)
    sep = np.full((2, t, 3), 80, np.uint8)
    return np.concatenate([plot, sep, spectrogram(dec, t), sep, spectrogram(mel, t)])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--scene", type=int, default=19)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(1)
    out = os.path.join(os.path.dirname(os.path.abspath(a.model)), "eval")
    os.makedirs(out, exist_ok=True)
    video = os.path.join(data.WORK, "scenes", "scene_%d.mp4" % a.scene)
    subprocess.run([os.path.join(data.HERE, "java.sh"), "generate", a.model, video, str(a.seed), out] + PROMPTS,
                   check=True)
    gen, _ = st.read(os.path.join(out, "generated.safetensors"))
    cfg, _, al = parity.load_folder(a.model)
    sc, _ = st.read(os.path.join(data.WORK, "scenes", "scenes.safetensors"))
    feats, contacts = sc["feat.%d" % a.scene][:, :cfg["aligner"]["inputDim"]].copy(), sc["contacts.%d" % a.scene]
    rate = cfg["decoder"]["frameRate"]
    for i, prompt in enumerate(PROMPTS):
        mel = gen["mel.%d" % i]
        t = mel.shape[0]
        with torch.no_grad():
            cond = M.interpolate(al(torch.from_numpy(feats)[None])[0], cfg["video"]["fps"], t, rate)[:, 0].numpy()
        dec = gen["decoder.%d" % i][:t]
        png(os.path.join(out, "gen_%d.png" % i), picture(mel, dec, cond, data.envelope(mel), contacts, rate))
        print(f"{prompt}: {os.path.join(out, 'gen_%d.png' % i)}")


if __name__ == "__main__":
    main()
