#!/usr/bin/python3
"""Reference for Foley4J's DiT denoiser and samplers (models/diffusion, pipeline/diffusion).

Run with Debian's torch (python3-torch 1.13) and numpy:  /usr/bin/python3 generate_reference.py
Writes, next to this script:
  dit_tiny.safetensors   the tiny denoiser's fixed random weights (F32, Hugging Face/DiT-like names)
  dit_reference.safetensors
     forward_a.*  a batch-2 forward with text mask and per-frame conditioning (T = 16)
     forward_b.*  a batch-1 forward at another length (T = 8) without per-frame conditioning
     noise.*      initial noise, text/frame conditioning of the sampler cases
     gauss.first  the first 1000 values of GaussianNoise(seed 1234) (SplitMix64 + Box-Muller, see below)
     <case>.traj  [steps + 1, T, C]: x before the first step, then after every step
     <case>.noise [steps, T, C]: the per-step noise each stochastic step used (DDPM, DDIM eta > 0)

The model runs in float32 (torch); the sampler updates run in float64 from float32 model outputs and are rounded to
float32 after every step, as the Java code does.
"""
import json
import math
import os
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- config (DitConfig.tiny() in Java) ----
C, P, D, H, DEPTH, MLP, DT, DC, FREQ, MAXF = 8, 2, 32, 2, 2, 64, 16, 12, 32, 32
HD = D // H
EPS = 1e-6
TRAIN_STEPS, BETA0, BETA1 = 1000, 1e-4, 0.02
STEPS, GUIDANCE, T, S = 6, 3.0, 16, 5

torch.manual_seed(20240607)
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
# LSTM weights are rounded to float16 values so the Java FP16 LSTM path is exact against this reference
for n, shape in (("lstm.weight_ih_l0", (4 * D, D)), ("lstm.weight_hh_l0", (4 * D, D))):
    W[n] = (torch.randn(*shape) / math.sqrt(D)).half().float()
W["lstm.bias_ih_l0"] = 0.1 * torch.randn(4 * D)
W["lstm.bias_hh_l0"] = 0.1 * torch.randn(4 * D)
lin("final_layer.adaLN_modulation.1", 2 * D, D, 0.5)
lin("final_layer.linear", P * C, D)
W = {k: v.float().contiguous() for k, v in W.items()}


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


# ---- the denoiser ----
def linear(x, n):
    return x @ W[n + ".weight"].T + W[n + ".bias"]


def timestep_embedding(t):
    # [B, FREQ] = [cos(t f), sin(t f)], f_j = 10000^(-j / half), computed in float64 like the Java code
    half = FREQ // 2
    f = np.exp(-math.log(10000.0) * np.arange(half, dtype=np.float64) / half)
    a = np.asarray(t, dtype=np.float64)[:, None] * f[None]
    return torch.from_numpy(np.concatenate([np.cos(a), np.sin(a)], axis=1).astype(np.float32))


def rope(x):
    # x [B, N, H, HD]: rotate-half (GPT-NeoX) rotary positions, theta_j = 10000^(-2j / HD)
    n = x.shape[1]
    half = HD // 2
    inv = 10000.0 ** (-2.0 * np.arange(half, dtype=np.float64) / HD)
    ang = np.arange(n, dtype=np.float64)[:, None] * inv[None]
    cos = torch.from_numpy(np.cos(ang).astype(np.float32))[None, :, None, :]
    sin = torch.from_numpy(np.sin(ang).astype(np.float32))[None, :, None, :]
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def attention(q, k, v, mask=None):
    # q [B, Nq, D], k, v [B, Nk, D]; mask [B, Nk] of 1/0
    b, nq, _ = q.shape
    nk = k.shape[1]
    q = q.view(b, nq, H, HD).transpose(1, 2)
    k = k.view(b, nk, H, HD).transpose(1, 2)
    v = v.view(b, nk, H, HD).transpose(1, 2)
    s = q @ k.transpose(-1, -2) / math.sqrt(HD)
    if mask is not None:
        s = s.masked_fill(mask[:, None, None, :] == 0, float("-inf"))
    return (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(b, nq, D)


def ln(x):
    return torch.nn.functional.layer_norm(x, (D,), eps=EPS)


def modulate(x, shift, scale):
    return x * (1 + scale[:, None]) + shift[:, None]


def lstm(x):
    m = torch.nn.LSTM(D, D, batch_first=True)
    with torch.no_grad():
        for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(m, n).copy_(W["lstm." + n])
        return m(x)[0]


@torch.no_grad()
def forward(x, t, text, mask, cond):
    b, tt, _ = x.shape
    n = tt // P
    h = linear(x.reshape(b, n, P * C), "x_embedder.proj")
    if cond is not None:
        h = h + linear(cond.reshape(b, n, P * DC), "frame_embedder")
    c = linear(torch.nn.functional.silu(linear(timestep_embedding(t), "t_embedder.mlp.0")), "t_embedder.mlp.2")
    sc = torch.nn.functional.silu(c)
    for i in range(DEPTH):
        p = f"blocks.{i}."
        sh1, sc1, g1, sh2, sc2, g2 = linear(sc, p + "adaLN_modulation.1").chunk(6, dim=1)
        y = modulate(ln(h), sh1, sc1)
        q, k, v = linear(y, p + "attn.qkv").chunk(3, dim=-1)
        q = rope(q.reshape(b, n, H, HD)).reshape(b, n, D)
        k = rope(k.reshape(b, n, H, HD)).reshape(b, n, D)
        h = h + g1[:, None] * linear(attention(q, k, v), p + "attn.proj")
        y = torch.nn.functional.layer_norm(h, (D,), W[p + "norm_cross.weight"], W[p + "norm_cross.bias"], EPS)
        kv = linear(text, p + "cross_attn.kv")
        h = h + linear(attention(linear(y, p + "cross_attn.q"), kv[..., :D], kv[..., D:], mask), p + "cross_attn.proj")
        y = modulate(ln(h), sh2, sc2)
        ff = linear(torch.nn.functional.gelu(linear(y, p + "mlp.fc1"), approximate="tanh"), p + "mlp.fc2")
        h = h + g2[:, None] * ff
    h = h + lstm(h)
    shift, scale = linear(sc, "final_layer.adaLN_modulation.1").chunk(2, dim=1)
    out = linear(modulate(ln(h), shift, scale), "final_layer.linear")
    return out.reshape(b, tt, C)


# ---- noise: SplitMix64 outputs + Box-Muller (GaussianNoise.java) ----
M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def splitmix_bits(seed, k):
    # k-th output (k = 0, 1, ...) of SplitMix64 seeded with `seed`: mix(seed + (k + 1) * golden)
    z = (np.uint64(seed) + (k.astype(np.uint64) + np.uint64(1)) * np.uint64(GOLDEN))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def gaussian(seed, start, n):
    # element i uses pair j = i // 2: u1 = (bits(2j) >> 11 + 1) 2^-53 in (0, 1], u2 = (bits(2j+1) >> 11) 2^-53;
    # even i -> sqrt(-2 ln u1) cos(2 pi u2), odd i -> ... sin(2 pi u2)
    i = np.arange(start, start + n, dtype=np.int64)
    j = i // 2
    with np.errstate(over="ignore"):
        b0 = splitmix_bits(seed, 2 * j)
        b1 = splitmix_bits(seed, 2 * j + 1)
    u1 = ((b0 >> np.uint64(11)).astype(np.float64) + 1.0) * 2.0 ** -53
    u2 = (b1 >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    r = np.sqrt(-2.0 * np.log(u1))
    a = 2.0 * math.pi * u2
    return np.where(i % 2 == 0, r * np.cos(a), r * np.sin(a)).astype(np.float32)


class Noise:
    """A stream: each request of n values starts at the next even position."""

    def __init__(self, seed):
        self.seed, self.pos = seed, 0

    def next(self, shape):
        n = int(np.prod(shape))
        out = gaussian(self.seed, self.pos, n).reshape(shape)
        self.pos += n + (n & 1)
        return out


# ---- schedule and samplers (float64 updates, float32 state) ----
betas = np.linspace(BETA0, BETA1, TRAIN_STEPS, dtype=np.float64)
abar = np.cumprod(1.0 - betas)


def spaced(n):
    # trailing spacing: t_i = floor((n - i) * N / n) - 1, i = 0..n-1; then -1 (abar = 1)
    return [int((n - i) * TRAIN_STEPS // n) - 1 for i in range(n)] + [-1]


def ab(t):
    return 1.0 if t < 0 else abar[t]


def to_x0_eps(x, out, a, pred):
    sa, so = math.sqrt(a), math.sqrt(1 - a)
    if pred == "epsilon":
        return (x - so * out) / sa, out
    return sa * x - so * out, so * x + sa * out  # v


def model_fn(guided):
    def f(x, t):
        x32 = torch.from_numpy(x.astype(np.float32))[None]
        if not guided:
            return forward(x32, [t], TEXT[None], MASK[None], COND[None])[0].numpy().astype(np.float64)
        o = forward(torch.cat([x32, x32]), [t, t], torch.stack([TEXT, TEXT * 0]), torch.stack([MASK, UMASK]),
                    torch.stack([COND, COND * 0])).numpy()
        c, u = o[0].astype(np.float64), o[1].astype(np.float64)
        return (u + GUIDANCE * (c - u)).astype(np.float32).astype(np.float64)
    return f


def f32(x):
    return x.astype(np.float32).astype(np.float64)


def run_vp(kind, pred, model, x, noise, eta=0.0):
    ts = spaced(STEPS)
    traj, used = [x.copy()], []
    prev_x0, prev_h = None, None
    for i in range(STEPS):
        t, tp = ts[i], ts[i + 1]
        a, ap = ab(t), ab(tp)
        x0, eps = to_x0_eps(x, model(x, float(t)), a, pred)
        if kind == "ddpm":
            alpha = a / ap
            beta = 1 - alpha
            mean = math.sqrt(ap) * beta / (1 - a) * x0 + math.sqrt(alpha) * (1 - ap) / (1 - a) * x
            if tp >= 0:
                z = noise.next(x.shape).astype(np.float64)
                used.append(z)
                mean = mean + math.sqrt((1 - ap) / (1 - a) * beta) * z
            x = f32(mean)
        elif kind == "ddim":
            sigma = eta * math.sqrt((1 - ap) / (1 - a) * (1 - a / ap))
            xn = math.sqrt(ap) * x0 + math.sqrt(max(0.0, 1 - ap - sigma * sigma)) * eps
            if sigma > 0:
                z = noise.next(x.shape).astype(np.float64)
                used.append(z)
                xn = xn + sigma * z
            x = f32(xn)
        else:  # dpm-solver++ 2M, lower order at the first and the last step
            al_s, si_s, al_t, si_t = math.sqrt(a), math.sqrt(1 - a), math.sqrt(ap), math.sqrt(1 - ap)
            emh = (si_t * al_s) / (al_t * si_s)  # e^{-h}
            d = x0
            if prev_x0 is not None and tp >= 0:
                h = math.log(al_t / si_t) - math.log(al_s / si_s)
                r = prev_h / h
                d = (1 + 1 / (2 * r)) * x0 - (1 / (2 * r)) * prev_x0
                prev_h = h
            else:
                prev_h = math.log(al_t / si_t) - math.log(al_s / si_s) if tp >= 0 else None
            x = f32((si_t / si_s) * x - al_t * (emh - 1) * d)
            prev_x0 = x0
        traj.append(x.copy())
    return np.stack(traj), used


def run_flow(kind, model, x):
    # x_s = (1 - s) x0 + s noise, velocity = noise - x0; s_i = 1 - i / n, model time 1000 s
    sig = [1 - i / STEPS for i in range(STEPS + 1)]
    traj = [x.copy()]
    for i in range(STEPS):
        s, sn = sig[i], sig[i + 1]
        v1 = model(x, float(np.float32(1000.0 * s)))  # the Java Denoiser takes a float time
        xe = f32(x + (sn - s) * v1)
        if kind == "heun" and sn > 0:
            v2 = model(xe, float(np.float32(1000.0 * sn)))
            x = f32(x + (sn - s) * 0.5 * (v1 + v2))
        else:
            x = xe
        traj.append(x.copy())
    return np.stack(traj)


# ---- data ----
g = torch.Generator().manual_seed(7)
X0 = torch.randn(T, C, generator=g)
TEXT = torch.randn(S, DT, generator=g)
MASK = torch.tensor([1.0, 1.0, 1.0, 1.0, 0.0])
UMASK = torch.tensor([1.0, 0.0, 0.0, 0.0, 0.0])
COND = torch.randn(T, DC, generator=g)

R = {"noise.x": X0, "noise.text": TEXT, "noise.mask": MASK, "noise.umask": UMASK, "noise.cond": COND}

xa = torch.randn(2, 16, C, generator=g)
ta = [500.0, 37.5]
texta = torch.randn(2, S, DT, generator=g)
maska = torch.tensor([[1.0, 1, 1, 0, 0], [1.0, 1, 1, 1, 1]])
conda = torch.randn(2, 16, DC, generator=g)
R.update({"forward_a.x": xa, "forward_a.t": torch.tensor(ta), "forward_a.text": texta, "forward_a.mask": maska,
          "forward_a.cond": conda, "forward_a.out": forward(xa, ta, texta, maska, conda)})
xb = torch.randn(1, 8, C, generator=g)
textb = torch.randn(1, S, DT, generator=g)
maskb = torch.tensor([[1.0, 1, 0, 0, 0]])
R.update({"forward_b.x": xb, "forward_b.t": torch.tensor([999.0]), "forward_b.text": textb, "forward_b.mask": maskb,
          "forward_b.out": forward(xb, [999.0], textb, maskb, None)})

R["gauss.first"] = gaussian(1234, 0, 1000)

x_init = X0.numpy().astype(np.float64)
for guided in (False, True):
    suffix = "_cfg" if guided else ""
    m = model_fn(guided)
    cases = {
        "ddpm_eps": lambda n: run_vp("ddpm", "epsilon", m, x_init, n),
        "ddpm_v": lambda n: run_vp("ddpm", "v", m, x_init, n),
        "ddim_eps": lambda n: run_vp("ddim", "epsilon", m, x_init, n),
        "ddim_eta05_v": lambda n: run_vp("ddim", "v", m, x_init, n, eta=0.5),
        "dpmpp2m_eps": lambda n: run_vp("dpmpp2m", "epsilon", m, x_init, n),
        "dpmpp2m_v": lambda n: run_vp("dpmpp2m", "v", m, x_init, n),
    }
    for name, fn in cases.items():
        traj, used = fn(Noise(99))
        R[name + suffix + ".traj"] = traj
        if used:
            R[name + suffix + ".noise"] = np.stack(used)
    R["euler" + suffix + ".traj"] = run_flow("euler", m, x_init)
    R["heun" + suffix + ".traj"] = run_flow("heun", m, x_init)

config = {"in_channels": C, "patch": P, "hidden": D, "heads": H, "depth": DEPTH, "mlp": MLP, "text_dim": DT,
          "cond_dim": DC, "freq_dim": FREQ, "max_frames": MAXF, "lstm": True, "eps": EPS,
          "train_steps": TRAIN_STEPS, "beta0": BETA0, "beta1": BETA1, "steps": STEPS, "guidance": GUIDANCE}
write_safetensors(os.path.join(HERE, "dit_tiny.safetensors"), {k: v.numpy() for k, v in W.items()})
write_safetensors(os.path.join(HERE, "dit_reference.safetensors"),
                  {k: (v.numpy() if torch.is_tensor(v) else v) for k, v in R.items()},
                  {"config": json.dumps(config)})
print("wrote", len(W), "weights and", len(R), "reference tensors")
