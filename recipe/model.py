"""FoleyNet v0 in PyTorch, with the engine's tensor names, and the reference inference pipeline.

The DiT's math is models/src/test/resources/diffusion/generate_reference.py (the committed reference of the Java
Dit), rewritten as trainable modules whose state_dict names are DitWeights' names; the aligner is Aligner.java's
(torch.nn.LSTM batch_first + Linear "proj"); sampling, guidance and noise follow NeuralFoley.mel, VpSampler and
GaussianNoise (float64 updates from float32 model outputs, x rounded to float32 after every step).
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class DitCfg:
    """DitConfig (Java): field order and meaning as there."""

    def __init__(self, in_channels=64, patch=2, hidden=128, heads=4, depth=4, mlp_hidden=512, text_dim=384,
                 cond_dim=1, freq_dim=128, max_frames=128, max_text_tokens=16, max_batch=2, lstm=False, eps=1e-6):
        self.in_channels, self.patch, self.hidden, self.heads, self.depth = in_channels, patch, hidden, heads, depth
        self.mlp_hidden, self.text_dim, self.cond_dim, self.freq_dim = mlp_hidden, text_dim, cond_dim, freq_dim
        self.max_frames, self.max_text_tokens, self.max_batch, self.lstm, self.eps = (
            max_frames, max_text_tokens, max_batch, lstm, eps)

    def to_json(self):
        return {"inChannels": self.in_channels, "patch": self.patch, "hidden": self.hidden, "heads": self.heads,
                "depth": self.depth, "mlpHidden": self.mlp_hidden, "textDim": self.text_dim,
                "condDim": self.cond_dim, "freqDim": self.freq_dim, "maxFrames": self.max_frames,
                "maxTextTokens": self.max_text_tokens, "maxBatch": self.max_batch, "lstm": self.lstm,
                "eps": self.eps}


def timestep_embedding(t, freq):
    # [B, freq] = [cos(t f), sin(t f)], f_j = 10000^(-j / half), in float64 like the Java code
    half = freq // 2
    f = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64, device=t.device) / half)
    a = t.to(torch.float64)[:, None] * f[None]
    return torch.cat([torch.cos(a), torch.sin(a)], dim=1).float()


def rope(x, hd):
    # x [B, N, H, HD]: rotate-half rotary positions, theta_j = 10000^(-2j / HD) (angles in float64)
    n, half = x.shape[1], hd // 2
    inv = 10000.0 ** (-2.0 * torch.arange(half, dtype=torch.float64, device=x.device) / hd)
    ang = torch.arange(n, dtype=torch.float64, device=x.device)[:, None] * inv[None]
    cos, sin = torch.cos(ang).float()[None, :, None, :], torch.sin(ang).float()[None, :, None, :]
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def attention(q, k, v, heads, mask=None):
    # q [B, Nq, D], k, v [B, Nk, D]; mask [B, Nk] of 1/0
    b, nq, d = q.shape
    nk, hd = k.shape[1], d // heads
    q = q.view(b, nq, heads, hd).transpose(1, 2)
    k = k.view(b, nk, heads, hd).transpose(1, 2)
    v = v.view(b, nk, heads, hd).transpose(1, 2)
    s = q @ k.transpose(-1, -2) / math.sqrt(hd)
    if mask is not None:
        s = s.masked_fill(mask[:, None, None, :] == 0, float("-inf"))
    return (torch.softmax(s, dim=-1) @ v).transpose(1, 2).reshape(b, nq, d)


def modulate(x, shift, scale):
    return x * (1 + scale[:, None]) + shift[:, None]


class _Proj(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.proj = nn.Linear(i, o)


class _Attn(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)


class _Cross(nn.Module):
    def __init__(self, d, dt):
        super().__init__()
        self.q, self.kv, self.proj = nn.Linear(d, d), nn.Linear(dt, 2 * d), nn.Linear(d, d)


class _Mlp(nn.Module):
    def __init__(self, d, m):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(d, m), nn.Linear(m, d)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c.hidden
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(d, 6 * d))
        self.attn = _Attn(d)
        self.norm_cross = nn.LayerNorm(d, eps=c.eps)
        self.cross_attn = _Cross(d, c.text_dim)
        self.mlp = _Mlp(d, c.mlp_hidden)


class _Final(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(c.hidden, 2 * c.hidden))
        self.linear = nn.Linear(c.hidden, c.patch * c.in_channels)


class _TEmb(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(c.freq_dim, c.hidden), nn.SiLU(), nn.Linear(c.hidden, c.hidden))


class Dit(nn.Module):
    """x [B, T, C] noisy normalized log-mel, t [B] timesteps, text [B, S, 384] + mask [B, S], cond [B, T, condDim]."""

    def __init__(self, c, zero_init=True):
        super().__init__()
        self.c = c
        d, p = c.hidden, c.patch
        self.x_embedder = _Proj(p * c.in_channels, d)
        self.frame_embedder = nn.Linear(p * c.cond_dim, d)
        self.t_embedder = _TEmb(c)
        self.blocks = nn.ModuleList([Block(c) for _ in range(c.depth)])
        if c.lstm:
            self.lstm = nn.LSTM(d, d, batch_first=True)
        self.final_layer = _Final(c)
        if zero_init:  # adaLN-Zero (Peebles and Xie 2023): every block starts as the identity, the output at 0
            for b in self.blocks:
                nn.init.zeros_(b.adaLN_modulation[1].weight)
                nn.init.zeros_(b.adaLN_modulation[1].bias)
            for m in (self.final_layer.adaLN_modulation[1], self.final_layer.linear):
                nn.init.zeros_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, x, t, text, mask, cond):
        c = self.c
        b, tt, _ = x.shape
        n, d, eps = tt // c.patch, c.hidden, c.eps
        h = self.x_embedder.proj(x.reshape(b, n, c.patch * c.in_channels))
        h = h + self.frame_embedder(cond.reshape(b, n, c.patch * c.cond_dim))
        temb = self.t_embedder.mlp(timestep_embedding(t, c.freq_dim))
        hd = d // c.heads
        for blk in self.blocks:
            sh1, sc1, g1, sh2, sc2, g2 = blk.adaLN_modulation(temb).chunk(6, dim=1)
            y = modulate(F.layer_norm(h, (d,), eps=eps), sh1, sc1)
            q, k, v = blk.attn.qkv(y).chunk(3, dim=-1)
            q = rope(q.reshape(b, n, c.heads, hd), hd).reshape(b, n, d)
            k = rope(k.reshape(b, n, c.heads, hd), hd).reshape(b, n, d)
            h = h + g1[:, None] * blk.attn.proj(attention(q, k, v, c.heads))
            y = blk.norm_cross(h)
            kv = blk.cross_attn.kv(text)
            h = h + blk.cross_attn.proj(attention(blk.cross_attn.q(y), kv[..., :d], kv[..., d:], c.heads, mask))
            y = modulate(F.layer_norm(h, (d,), eps=eps), sh2, sc2)
            h = h + g2[:, None] * blk.mlp.fc2(F.gelu(blk.mlp.fc1(y), approximate="tanh"))
        if c.lstm:
            h = h + self.lstm(h)[0]
        shift, scale = self.final_layer.adaLN_modulation(temb).chunk(2, dim=1)
        out = self.final_layer.linear(modulate(F.layer_norm(h, (d,), eps=eps), shift, scale))
        return out.reshape(b, tt, c.in_channels)


class Aligner(nn.Module):
    """Aligner.java: features [B, F, inputDim] -> LSTM (batch_first, one layer) -> proj -> [B, F, outputDim]."""

    def __init__(self, input_dim=2, hidden=32, bidirectional=True, output_dim=1):
        super().__init__()
        self.lstm = nn.LSTM(input_dim, hidden, batch_first=True, bidirectional=bidirectional)
        self.proj = nn.Linear(hidden * (2 if bidirectional else 1), output_dim)

    def forward(self, feats):
        return self.proj(self.lstm(feats)[0])


def interp_weights(frames, fps, out_frames, rate):
    """Aligner.interpolate as indices and weights: row j = (1 - a) row[k0] + a row[k1], held at the ends."""
    k0, k1, a = np.zeros(out_frames, np.int64), np.zeros(out_frames, np.int64), np.zeros(out_frames, np.float64)
    for j in range(out_frames):
        pos = j / rate * fps
        k = int(math.floor(pos))
        w = pos - k
        if k >= frames - 1:
            k, w = frames - 1, 0.0
        k0[j], k1[j], a[j] = k, min(frames - 1, k + 1), w
    return k0, k1, a


def interpolate(rows, fps, out_frames, rate):
    """rows [F, dim] (torch, float32) -> [out_frames, dim]; float64 blend rounded to float32 like Java."""
    k0, k1, a = interp_weights(rows.shape[0], fps, out_frames, rate)
    r = rows.to(torch.float64)
    a = torch.from_numpy(a)[:, None]
    return ((1 - a) * r[torch.from_numpy(k0)] + a * r[torch.from_numpy(k1)]).float()


# ---- noise: SplitMix64 outputs + Box-Muller (GaussianNoise.java) ----
GOLDEN = 0x9E3779B97F4A7C15


def _splitmix(seed, k):
    z = np.uint64(seed & ((1 << 64) - 1)) + (k.astype(np.uint64) + np.uint64(1)) * np.uint64(GOLDEN)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def gaussian(seed, start, n):
    i = np.arange(start, start + n, dtype=np.int64)
    j = i // 2
    with np.errstate(over="ignore"):
        b0, b1 = _splitmix(seed, 2 * j), _splitmix(seed, 2 * j + 1)
    u1 = ((b0 >> np.uint64(11)).astype(np.float64) + 1.0) * 2.0 ** -53
    u2 = (b1 >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    r = np.sqrt(-2.0 * np.log(u1))
    a = 2.0 * math.pi * u2
    return np.where(i % 2 == 0, r * np.cos(a), r * np.sin(a)).astype(np.float32)


# ---- VP schedule and DPM-Solver++(2M) with v or epsilon prediction (VpSampler.java) ----
class Schedule:
    def __init__(self, train_steps=1000, beta0=1e-4, beta1=0.02):
        self.n = train_steps
        self.abar = np.cumprod(1.0 - np.linspace(beta0, beta1, train_steps, dtype=np.float64))

    def ab(self, t):
        return 1.0 if t < 0 else self.abar[t]

    def spaced(self, steps):
        return [int((steps - i) * self.n // steps) - 1 for i in range(steps)] + [-1]


def dpmpp2m(model, x, sched, steps, pred="v", trace=None):
    """x float32 numpy [T, C]; model(x float32 numpy, t float) -> float64 numpy. Returns float32 x."""
    ts = sched.spaced(steps)
    x = x.astype(np.float64)
    prev_x0, prev_h = None, None
    for i in range(steps):
        t, tp = ts[i], ts[i + 1]
        a, ap = sched.ab(t), sched.ab(tp)
        out = model(x.astype(np.float32), float(t))
        sa, so = math.sqrt(a), math.sqrt(1 - a)
        x0 = (x - so * out) / sa if pred == "epsilon" else sa * x - so * out
        al_s, si_s, al_t, si_t = sa, so, math.sqrt(ap), math.sqrt(1 - ap)
        emh = (si_t * al_s) / (al_t * si_s)
        d = x0
        if tp >= 0:
            h = math.log(al_t / si_t) - math.log(al_s / si_s)
            if prev_x0 is not None:
                r = prev_h / h
                d = (1 + 1 / (2 * r)) * x0 - (1 / (2 * r)) * prev_x0
            prev_h = h
        x = ((si_t / si_s) * x - al_t * (emh - 1) * d).astype(np.float32).astype(np.float64)
        prev_x0 = x0
        if trace is not None:
            trace.append(x.astype(np.float32))
    return x.astype(np.float32)


@torch.no_grad()
def sample_mel(dit, aligner, feats, fps, frame_rate, seconds, text, mask, utext, umask, cfg_scale, steps, seed,
               sched, mel_scale, mel_shift, pred="v", trace=None):
    """NeuralFoley.mel for one window: features [F, inputDim] -> log-mel [T, C] (normalization undone)."""
    c = dit.c
    p = c.patch
    mel_frames = max(p, int(math.ceil(seconds * frame_rate / p)) * p)
    assert mel_frames <= c.max_frames, "one window only"
    rows = aligner(torch.from_numpy(feats)[None])[0]
    cond = interpolate(rows, fps, mel_frames, frame_rate)
    x = gaussian(seed, 0, mel_frames * c.in_channels).reshape(mel_frames, c.in_channels)

    def model(xs, t):
        xb = torch.from_numpy(xs)[None].repeat(2, 1, 1)
        o = dit(xb, torch.tensor([t, t]), torch.stack([text, utext]), torch.stack([mask, umask]),
                torch.stack([cond, cond])).numpy()
        cc, u = o[0].astype(np.float64), o[1].astype(np.float64)
        return (u + cfg_scale * (cc - u)).astype(np.float32).astype(np.float64)

    x = dpmpp2m(model, x, sched, steps, pred, trace)
    return (x * np.float32(mel_scale) + np.float32(mel_shift)).astype(np.float32), cond.numpy()
