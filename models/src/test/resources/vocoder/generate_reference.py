#!/usr/bin/python3
"""Reference for Foley4J's Vocos-style vocoder (models/vocoder, pipeline/vocoder).

Run with Debian's torch (python3-torch 1.13):  /usr/bin/python3 generate_reference.py
Writes, next to this script:
  vocos_tiny.safetensors       fixed random weights of the tiny vocoder (F32, Vocos state_dict names, including the
                               ISTFT head's window buffer)
  vocos_reference.safetensors  for two inputs a (20 frames) and b (7 frames):
     <c>.mel       [frames, n_mels]      log-mel input (time-major, as Foley4J's LogMel writes it)
     <c>.backbone  [frames, dim]         output of the final LayerNorm
     <c>.spec      [frames, bins, 2]     complex spectrum (real, imaginary) fed to the iSTFT
     <c>.audio     [(frames - 1) * hop]  waveform: torch.istft(center=True), Vocos' padding="center"

The module follows vocos.models.VocosBackbone (no adaLN conditioning) + vocos.heads.ISTFTHead.
"""
import json
import math
import os
import struct

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- config (VocosConfig.tiny() in Java) ----
N_MELS, DIM, INTER, LAYERS, N_FFT, HOP, SR = 16, 32, 48, 2, 64, 16, 16000
EPS = 1e-6


class ConvNeXtBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.dwconv = nn.Conv1d(DIM, DIM, kernel_size=7, padding=3, groups=DIM)
        self.norm = nn.LayerNorm(DIM, eps=EPS)
        self.pwconv1 = nn.Linear(DIM, INTER)
        self.act = nn.GELU()
        self.pwconv2 = nn.Linear(INTER, DIM)
        self.gamma = nn.Parameter(torch.ones(DIM))

    def forward(self, x):  # x [B, C, T]
        residual = x
        x = self.dwconv(x).transpose(1, 2)
        x = self.pwconv2(self.act(self.pwconv1(self.norm(x))))
        x = self.gamma * x
        return residual + x.transpose(1, 2)


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Conv1d(N_MELS, DIM, kernel_size=7, padding=3)
        self.norm = nn.LayerNorm(DIM, eps=EPS)
        self.convnext = nn.ModuleList([ConvNeXtBlock() for _ in range(LAYERS)])
        self.final_layer_norm = nn.LayerNorm(DIM, eps=EPS)

    def forward(self, x):  # x [B, n_mels, T] -> [B, T, dim]
        x = self.embed(x)
        x = self.norm(x.transpose(1, 2)).transpose(1, 2)
        for block in self.convnext:
            x = block(x)
        return self.final_layer_norm(x.transpose(1, 2))


class ISTFT(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("window", torch.hann_window(N_FFT))  # periodic Hann

    def forward(self, spec):  # [B, bins, T] complex
        return torch.istft(spec, N_FFT, HOP, N_FFT, self.window, center=True)


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.out = nn.Linear(DIM, N_FFT + 2)
        self.istft = ISTFT()

    def spectrum(self, x):  # x [B, T, dim] -> complex [B, bins, T]
        x = self.out(x).transpose(1, 2)
        mag, p = x.chunk(2, dim=1)
        mag = torch.clip(torch.exp(mag), max=1e2)
        return mag * (torch.cos(p) + 1j * torch.sin(p))


class Vocos(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = Backbone()
        self.head = Head()


def write_safetensors(path, tensors, metadata=None):
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        a = np.ascontiguousarray(np.asarray(tensors[name], dtype="<f4"))
        raw = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for raw in blobs:
            f.write(raw)


torch.manual_seed(20241124)
model = Vocos()
with torch.no_grad():
    # non-trivial norms, layer scales and head biases; the magnitude half gets +2 so some bins hit the 1e2 clip
    for name, p in model.named_parameters():
        if name.endswith("norm.weight") or name.endswith("final_layer_norm.weight"):
            p.copy_(1 + 0.1 * torch.randn_like(p))
        elif name.endswith("norm.bias") or name.endswith("final_layer_norm.bias"):
            p.copy_(0.1 * torch.randn_like(p))
        elif name.endswith("gamma"):
            p.copy_(0.5 + 0.1 * torch.randn_like(p))
    model.head.out.weight.mul_(3.0)
    model.head.out.bias[: N_FFT // 2 + 1] += 2.0

g = torch.Generator().manual_seed(7)
R = {}
with torch.no_grad():
    for case, frames in (("a", 20), ("b", 7)):
        mel = torch.randn(frames, N_MELS, generator=g) * 2 - 3
        h = model.backbone(mel.T[None])
        spec = model.head.spectrum(h)
        audio = model.head.istft(spec)
        R[case + ".mel"] = mel
        R[case + ".backbone"] = h[0]
        R[case + ".spec"] = torch.view_as_real(spec[0].transpose(0, 1).contiguous())
        R[case + ".audio"] = audio[0]
        clipped = (torch.exp(model.head.out(h)[..., : N_FFT // 2 + 1]) > 1e2).float().mean().item()
        print(case, "frames", frames, "audio", tuple(audio.shape), "clipped bins", round(clipped, 3),
              "max |audio|", audio.abs().max().item())

config = {"n_mels": N_MELS, "dim": DIM, "intermediate": INTER, "layers": LAYERS, "n_fft": N_FFT, "hop": HOP,
          "sample_rate": SR, "padding": "center", "eps": EPS}
write_safetensors(os.path.join(HERE, "vocos_tiny.safetensors"),
                  {k: v.numpy() for k, v in model.state_dict().items()}, {"config": json.dumps(config)})
write_safetensors(os.path.join(HERE, "vocos_reference.safetensors"), {k: v.numpy() for k, v in R.items()},
                  {"config": json.dumps(config)})
print("wrote", len(model.state_dict()), "weights and", len(R), "reference tensors")
