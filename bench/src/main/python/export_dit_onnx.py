#!/usr/bin/python3
"""Exports Foley4J's DiT denoiser at DitConfig.defaults() with random weights, for DenoiserBench (bench --only dit).

Run with Debian's torch (python3-torch 1.13):  /usr/bin/python3 export_dit_onnx.py OUT_DIR [frames=430] [tokens=16]
Writes into OUT_DIR (about 110 MB each; not committed):
  dit_default.onnx          the denoiser traced at batch 2 (one classifier-free-guidance pass), `frames` frames and
                            `tokens` text tokens, opset 17, weights as initializers; inputs x [2, T, 64], t [2],
                            text [2, S, 384], cond [2, T, 384]; output out [2, T, 64]
  dit_default.safetensors   the same weights under DitWeights.table names (F32)
  dit_default_case.safetensors  one input (x, t, text, cond) and torch's output, for the parity check

The forward is the one of models/src/test/resources/diffusion/generate_reference.py (no text mask: every token kept).
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

OUT = sys.argv[1] if len(sys.argv) > 1 else "."
T = int(sys.argv[2]) if len(sys.argv) > 2 else 430
S = int(sys.argv[3]) if len(sys.argv) > 3 else 16
B = 2
# DitConfig.defaults()
C, P, D, H, DEPTH, MLP, DT, DC, FREQ = 64, 2, 384, 6, 8, 1536, 384, 384, 256
HD = D // H
EPS = 1e-6

torch.manual_seed(1234)
W = {}


def lin(name, out, inp, gain=1.0):
    W[name + ".weight"] = torch.randn(out, inp) * (gain / math.sqrt(inp))
    W[name + ".bias"] = torch.randn(out) * 0.1


lin("x_embedder.proj", D, P * C)
lin("frame_embedder", D, P * DC)
lin("t_embedder.mlp.0", D, FREQ)
lin("t_embedder.mlp.2", D, D)
for i in range(DEPTH):
    b = f"blocks.{i}."
    lin(b + "adaLN_modulation.1", 6 * D, D, 0.5)
    lin(b + "attn.qkv", 3 * D, D)
    lin(b + "attn.proj", D, D)
    W[b + "norm_cross.weight"] = 1 + 0.1 * torch.randn(D)
    W[b + "norm_cross.bias"] = 0.1 * torch.randn(D)
    lin(b + "cross_attn.q", D, D)
    lin(b + "cross_attn.kv", 2 * D, DT)
    lin(b + "cross_attn.proj", D, D)
    lin(b + "mlp.fc1", MLP, D)
    lin(b + "mlp.fc2", D, MLP)
for n in ("lstm.weight_ih_l0", "lstm.weight_hh_l0"):
    W[n] = torch.randn(4 * D, D) / math.sqrt(D)
W["lstm.bias_ih_l0"] = 0.1 * torch.randn(4 * D)
W["lstm.bias_hh_l0"] = 0.1 * torch.randn(4 * D)
lin("final_layer.adaLN_modulation.1", 2 * D, D, 0.5)
lin("final_layer.linear", P * C, D)
W = {k: v.float().contiguous() for k, v in W.items()}


class Dit(torch.nn.Module):
    def __init__(self, n):
        super().__init__()
        self.lstm = torch.nn.LSTM(D, D, batch_first=True)
        with torch.no_grad():
            for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
                getattr(self.lstm, name).copy_(W["lstm." + name])
        half = HD // 2
        inv = 10000.0 ** (-2.0 * np.arange(half, dtype=np.float64) / HD)
        ang = np.arange(n, dtype=np.float64)[:, None] * inv[None]
        self.register_buffer("cos", torch.from_numpy(np.cos(ang).astype(np.float32))[None, :, None, :])
        self.register_buffer("sin", torch.from_numpy(np.sin(ang).astype(np.float32))[None, :, None, :])
        f = np.exp(-math.log(10000.0) * np.arange(FREQ // 2, dtype=np.float64) / (FREQ // 2))
        self.register_buffer("freqs", torch.from_numpy(f))
        self.register_buffer("ones", torch.ones(D))
        self.register_buffer("zeros", torch.zeros(D))

    @staticmethod
    def linear(x, n):
        return x @ W[n + ".weight"].T + W[n + ".bias"]

    def rope(self, x):  # [B, N, H, HD], rotate-half
        half = HD // 2
        x1, x2 = x[..., :half], x[..., half:]
        return torch.cat([x1 * self.cos - x2 * self.sin, x2 * self.cos + x1 * self.sin], dim=-1)

    @staticmethod
    def attention(q, k, v):
        b, nq, _ = q.shape
        nk = k.shape[1]
        q = q.view(b, nq, H, HD).transpose(1, 2)
        k = k.view(b, nk, H, HD).transpose(1, 2)
        v = v.view(b, nk, H, HD).transpose(1, 2)
        s = q @ k.transpose(-1, -2) / math.sqrt(HD)
        return (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(b, nq, D)

    def ln(self, x):
        # explicit unit gamma / zero beta: torch 1.13 exports a weight-less layer_norm at opset 17 as an invalid node
        return F.layer_norm(x, (D,), self.ones, self.zeros, EPS)

    @staticmethod
    def modulate(x, shift, scale):
        return x * (1 + scale[:, None]) + shift[:, None]

    def forward(self, x, t, text, cond):
        b, tt, _ = x.shape
        n = tt // P
        h = self.linear(x.reshape(b, n, P * C), "x_embedder.proj") + self.linear(cond.reshape(b, n, P * DC),
                                                                                  "frame_embedder")
        a = t.double()[:, None] * self.freqs[None]  # timestep features in float64, as the Java code
        freq = torch.cat([torch.cos(a), torch.sin(a)], dim=1).float()
        c = self.linear(F.silu(self.linear(freq, "t_embedder.mlp.0")), "t_embedder.mlp.2")
        sc = F.silu(c)
        for i in range(DEPTH):
            p = f"blocks.{i}."
            sh1, sc1, g1, sh2, sc2, g2 = self.linear(sc, p + "adaLN_modulation.1").chunk(6, dim=1)
            y = self.modulate(self.ln(h), sh1, sc1)
            q, k, v = self.linear(y, p + "attn.qkv").chunk(3, dim=-1)
            q = self.rope(q.reshape(b, n, H, HD)).reshape(b, n, D)
            k = self.rope(k.reshape(b, n, H, HD)).reshape(b, n, D)
            h = h + g1[:, None] * self.linear(self.attention(q, k, v), p + "attn.proj")
            y = F.layer_norm(h, (D,), W[p + "norm_cross.weight"], W[p + "norm_cross.bias"], EPS)
            kv = self.linear(text, p + "cross_attn.kv")
            h = h + self.linear(self.attention(self.linear(y, p + "cross_attn.q"), kv[..., :D], kv[..., D:]),
                                p + "cross_attn.proj")
            y = self.modulate(self.ln(h), sh2, sc2)
            ff = self.linear(F.gelu(self.linear(y, p + "mlp.fc1"), approximate="tanh"), p + "mlp.fc2")
            h = h + g2[:, None] * ff
        h = h + self.lstm(h)[0]
        shift, scale = self.linear(sc, "final_layer.adaLN_modulation.1").chunk(2, dim=1)
        out = self.linear(self.modulate(self.ln(h), shift, scale), "final_layer.linear")
        return out.reshape(b, tt, C)


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


os.makedirs(OUT, exist_ok=True)
g = torch.Generator().manual_seed(7)
x = torch.randn(B, T, C, generator=g)
t = torch.tensor([500.0, 500.0])
text = torch.randn(B, S, DT, generator=g)
cond = torch.randn(B, T, DC, generator=g)
model = Dit(T // P).eval()
with torch.no_grad():
    out = model(x, t, text, cond)
    torch.onnx.export(model, (x, t, text, cond), os.path.join(OUT, "dit_default.onnx"), opset_version=17,
                      input_names=["x", "t", "text", "cond"], output_names=["out"], do_constant_folding=True)
config = {"frames": T, "tokens": S, "batch": B}
write_safetensors(os.path.join(OUT, "dit_default.safetensors"), {k: v.numpy() for k, v in W.items()})
write_safetensors(os.path.join(OUT, "dit_default_case.safetensors"),
                  {"x": x.numpy(), "t": t.numpy(), "text": text.numpy(), "cond": cond.numpy(), "out": out.numpy()},
                  {"config": json.dumps(config)})
print("exported", OUT, "frames", T, "tokens", S, "max |out|", out.abs().max().item())
