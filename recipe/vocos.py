#!/usr/bin/python3
"""Vocos vocoder for FoleyNet's log-mel (64 Slaney bands 0-24 kHz, ln |STFT| clamped at 1e-5, centred Hann 2048,
hop 512, 48 kHz): the engine's VocosWeights names (module of models/src/test/resources/vocoder/generate_reference.py,
parameterized), trained on crops of the training-split recordings (recipe/work/waves: `recipe/java.sh waves`).

  vocos.py train --ckpt DIR [--device cuda] [--steps N | --minutes M] [--batch B] [--gan] ...
  vocos.py heldout CKPT_DIR                 mel L1 on held-out clips: this Vocos vs 32-iteration Griffin-Lim
  vocos.py export CKPT_DIR MODEL_DIR        vocoder.safetensors + foleynet.json's vocoder entry in MODEL_DIR
  vocos.py parity MODEL_DIR OUT             PyTorch audio of a held-out clip's mel (`recipe/java.sh vocos MODEL_DIR OUT`)

The input log-mel is computed here in PyTorch exactly as the engine's LogMel (checked against mels.safetensors at
start). Runs with torch 1.13 (CPU) and 2.x (CUDA). Batches come from generators seeded by (seed, step): a resumed
run sees the same crops as an uninterrupted one.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import st  # noqa: E402
import train as dit_train  # noqa: E402  (budget_steps: the DiT stage's wall-clock budget)

SR, N_FFT, HOP, N_MELS, F_MIN, F_MAX, FLOOR = 48000, 2048, 512, 64, 0.0, 24000.0, 1e-5
EPS = 1e-6
MAX_FRAMES = 2048  # the Java state's window (21.8 s); longer tracks are vocoded in overlapping windows


# ---- the engine's LogMel (pipeline/audio/{Mel,LogMel}.java: torchaudio MelSpectrogram + log(clamp)) ----

def hz_to_mel(hz):
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    step = math.log(6.4) / 27
    return hz / f_sp if hz < min_log_hz else min_log_hz / f_sp + math.log(hz / min_log_hz) / step


def mel_to_hz(m):
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    step, min_log_mel = math.log(6.4) / 27, 1000.0 / (200.0 / 3)
    return f_sp * m if m < min_log_mel else min_log_hz * math.exp(step * (m - min_log_mel))


def filterbank(n_freqs=N_FFT // 2 + 1, n_mels=N_MELS, sr=SR, f_min=F_MIN, f_max=F_MAX):
    """Mel.filterbank (torchaudio melscale_fbanks, Slaney scale and norm): [n_freqs, n_mels] float64."""
    m_min, m_max = hz_to_mel(f_min), hz_to_mel(f_max)
    pts = np.array([mel_to_hz(m_min + (m_max - m_min) * i / (n_mels + 1)) for i in range(n_mels + 2)])
    hz = (sr // 2) * np.arange(n_freqs) / (n_freqs - 1)
    down = (hz[:, None] - pts[None, :-2]) / (pts[1:-1] - pts[:-2])[None]
    up = (pts[None, 2:] - hz[:, None]) / (pts[2:] - pts[1:-1])[None]
    return np.maximum(0, np.minimum(down, up)) * (2 / (pts[2:] - pts[:-2]))[None]


class LogMel(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("window", torch.hann_window(N_FFT))
        self.register_buffer("fb", torch.from_numpy(filterbank()).float())

    def forward(self, x):  # [B, S] -> [B, S // hop + 1, n_mels]
        spec = torch.stft(x, N_FFT, HOP, N_FFT, self.window, center=True, pad_mode="reflect", return_complex=True)
        return torch.log(torch.clamp(spec.abs().transpose(1, 2) @ self.fb, min=FLOOR))


# ---- the model: names of VocosWeights.table ----

class ConvNeXtBlock(nn.Module):
    def __init__(self, dim, inter, layers):
        super().__init__()
        self.dwconv = nn.Conv1d(dim, dim, kernel_size=7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=EPS)
        self.pwconv1 = nn.Linear(dim, inter)
        self.act = nn.GELU()
        self.pwconv2 = nn.Linear(inter, dim)
        self.gamma = nn.Parameter(torch.full((dim,), 1.0 / layers))  # Vocos' layer scale init

    def forward(self, x):  # [B, C, T]
        y = self.dwconv(x).transpose(1, 2)
        y = self.gamma * self.pwconv2(self.act(self.pwconv1(self.norm(y))))
        return x + y.transpose(1, 2)


class Backbone(nn.Module):
    def __init__(self, dim, inter, layers):
        super().__init__()
        self.embed = nn.Conv1d(N_MELS, dim, kernel_size=7, padding=3)
        self.norm = nn.LayerNorm(dim, eps=EPS)
        self.convnext = nn.ModuleList([ConvNeXtBlock(dim, inter, layers) for _ in range(layers)])
        self.final_layer_norm = nn.LayerNorm(dim, eps=EPS)

    def forward(self, x):  # [B, n_mels, T] -> [B, T, dim]
        x = self.norm(self.embed(x).transpose(1, 2)).transpose(1, 2)
        for block in self.convnext:
            x = block(x)
        return self.final_layer_norm(x.transpose(1, 2))


class ISTFT(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("window", torch.hann_window(N_FFT))

    def forward(self, spec):  # complex [B, bins, T] -> [B, (T - 1) hop]
        return torch.istft(spec, N_FFT, HOP, N_FFT, self.window, center=True)


class Head(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.out = nn.Linear(dim, N_FFT + 2)
        self.istft = ISTFT()

    def forward(self, x):  # [B, T, dim] -> [B, (T - 1) hop]
        mag, p = self.out(x).transpose(1, 2).chunk(2, dim=1)
        mag = torch.clip(torch.exp(mag), max=1e2)
        return self.istft(torch.complex(mag * torch.cos(p), mag * torch.sin(p)))


class Vocos(nn.Module):
    def __init__(self, dim, inter, layers):
        super().__init__()
        self.backbone = Backbone(dim, inter, layers)
        self.head = Head(dim)
        for m in self.modules():  # Vocos' init
            if isinstance(m, (nn.Conv1d, nn.Linear)):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.constant_(m.bias, 0)

    def forward(self, logmel):  # [B, T, n_mels] (time-major, as LogMel) -> [B, (T - 1) hop]
        return self.head(self.backbone(logmel.transpose(1, 2)))


# ---- losses ----

def mrstft_loss(y_hat, y, sizes=(512, 1024, 2048, 4096)):
    """Sum over resolutions of spectral convergence + L1 of log magnitude (Parallel WaveGAN's auxiliary loss); the
    log is floored at the mel's 1e-5, so the silence around short clips does not dominate."""
    total = 0
    for n in sizes:
        w = torch.hann_window(n, device=y.device)
        s_hat = torch.stft(y_hat, n, n // 4, n, w, return_complex=True).abs().clamp(min=FLOOR)
        s = torch.stft(y, n, n // 4, n, w, return_complex=True).abs().clamp(min=FLOOR)
        total = total + torch.norm(s - s_hat) / torch.norm(s).clamp(min=1e-7) + F.l1_loss(s_hat.log(), s.log())
    return total


class PeriodDisc(nn.Module):
    def __init__(self, period, ch=(16, 64, 128, 128)):
        super().__init__()
        self.period = period
        chans = (1,) + ch
        self.convs = nn.ModuleList([nn.Conv2d(chans[i], chans[i + 1], (5, 1), (3, 1) if i < len(ch) - 1 else 1,
                                              padding=(2, 0)) for i in range(len(ch))])
        self.post = nn.Conv2d(ch[-1], 1, (3, 1), 1, padding=(1, 0))

    def forward(self, x):  # [B, S]
        b, s = x.shape
        if s % self.period:
            x = F.pad(x, (0, self.period - s % self.period), mode="reflect")
        x = x.view(b, 1, -1, self.period)
        feats = []
        for c in self.convs:
            x = F.leaky_relu(c(x), 0.1)
            feats.append(x)
        return self.post(x), feats


class ResolutionDisc(nn.Module):
    def __init__(self, n_fft, ch=32):
        super().__init__()
        self.n_fft = n_fft
        self.convs = nn.ModuleList([nn.Conv2d(1, ch, (7, 5), padding=(3, 2)),
                                    nn.Conv2d(ch, ch, (5, 3), (2, 1), padding=(2, 1)),
                                    nn.Conv2d(ch, ch, (5, 3), (2, 1), padding=(2, 1)),
                                    nn.Conv2d(ch, ch, (3, 3), padding=(1, 1))])
        self.post = nn.Conv2d(ch, 1, (3, 3), padding=(1, 1))

    def forward(self, x):
        w = torch.hann_window(self.n_fft, device=x.device)
        x = torch.stft(x, self.n_fft, self.n_fft // 4, self.n_fft, w, return_complex=True).abs()
        x = torch.log(x.clamp(min=1e-5))[:, None]  # [B, 1, bins, T]
        feats = []
        for c in self.convs:
            x = F.leaky_relu(c(x), 0.1)
            feats.append(x)
        return self.post(x), feats


class Discriminators(nn.Module):
    """Multi-period (HiFi-GAN) + multi-resolution (UnivNet) discriminators, narrow: a light adversarial term."""

    def __init__(self):
        super().__init__()
        self.discs = nn.ModuleList([PeriodDisc(p) for p in (2, 3, 5, 7, 11)]
                                   + [ResolutionDisc(n) for n in (512, 1024, 2048)])

    def forward(self, x):
        return [d(x) for d in self.discs]


def d_loss(discs, y, y_hat):
    return sum(F.relu(1 - r).mean() + F.relu(1 + f).mean()
               for (r, _), (f, _) in zip(discs(y), discs(y_hat.detach())))


def g_loss(discs, y, y_hat):
    with torch.no_grad():
        real = [[t.detach() for t in fs] for _, fs in discs(y)]
    adv, fm = 0, 0
    for (f, ffs), rfs in zip(discs(y_hat), real):
        adv = adv + F.relu(1 - f).mean()
        fm = fm + sum(F.l1_loss(a, b) for a, b in zip(ffs, rfs)) / len(rfs)
    return adv, fm


# ---- data ----

def load_data(data, waves):
    """(train, heldout, all waves by clip index, dataset.json clips, F32 copies {index: wave})."""
    w, _ = st.read(waves)
    ds = json.load(open(os.path.join(data, "dataset.json")))["clips"]
    by_index = [w[f"wave.{i}"] for i in range(sum(k.startswith("wave.") for k in w))]
    f32 = {int(k[4:]): v for k, v in w.items() if k.startswith("f32.")}
    train = [by_index[c["index"]] for c in ds if c["split"] == "train"]
    held = [by_index[c["index"]] for c in ds if c["split"] != "train"]
    return train, held, by_index, ds, f32


def check_logmel(logmel, data, by_index, f32, device):
    """The PyTorch LogMel vs the engine's mels.safetensors (RecipeDump clips): exact on the F32 copies of the waves
    (asserted); on the F16 waves the quantization noise (~5e-4 relative) lifts near-empty bands off the 1e-5 floor,
    so only the median is shown for those."""
    mels, _ = st.read(os.path.join(data, "mels.safetensors"))

    def diff(i, x):
        with torch.no_grad():
            m = logmel(torch.from_numpy(x)[None].to(device))[0].cpu().numpy()
        ref = mels[f"mel.{i}"]
        assert m.shape == ref.shape, (i, m.shape, ref.shape)
        return np.abs(m - ref)

    assert f32, "waves.safetensors has no f32.N copies (rerun recipe/java.sh waves)"
    worst = max(float(diff(i, x).max()) for i, x in f32.items())
    med = float(np.median(np.concatenate([diff(i, by_index[i]).ravel() for i in f32])))
    print(f"logmel check: max |PyTorch LogMel - engine mel| = {worst:.2e} on {len(f32)} clips (F32 waves); "
          f"median {med:.1e} from the F16 waves", flush=True)
    assert worst < 2e-3, f"PyTorch LogMel disagrees with the engine's mels.safetensors: {worst}"
    return worst


def crops(clips, weights, rng, batch, samples):
    """batch crops of `samples` samples: long clips at a random offset, short ones placed at random in silence."""
    out = np.zeros((batch, samples), np.float32)
    for b, i in enumerate(rng.choice(len(clips), batch, p=weights)):
        x = clips[i]
        if len(x) >= samples:
            a = rng.integers(0, len(x) - samples + 1)
            out[b] = x[a:a + samples]
        else:
            a = rng.integers(0, samples - len(x) + 1)
            out[b, a:a + len(x)] = x
        out[b] *= 10 ** (rng.uniform(-6, 3) / 20)  # +-level augmentation around the recordings' own
    return np.clip(out, -1, 1)


# ---- training ----

def load(path):
    """torch.load of our own checkpoint (dicts, tensors, numbers): torch >= 2.6 defaults to weights_only=True."""
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except TypeError:  # a torch without the argument
        return torch.load(path, map_location="cpu")


def build(cfg):
    return Vocos(cfg["dim"], cfg["intermediate"], cfg["layers"])


def train(a):
    torch.manual_seed(a.seed)
    if a.threads:
        torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    os.makedirs(a.ckpt, exist_ok=True)
    train_clips, held, by_index, ds, f32 = load_data(a.data, a.waves)
    if a.uncaptioned:  # recordings outside dataset.json (UI sounds: neither split)
        listed = {c["index"] for c in ds}
        train_clips += [x for i, x in enumerate(by_index) if i not in listed]
    samples = a.frames * HOP
    weights = np.array([max(len(x), samples) for x in train_clips], np.float64)
    weights /= weights.sum()
    logmel = LogMel().to(dev)
    check_logmel(logmel, a.data, by_index, f32, dev)
    path = os.path.join(a.ckpt, "vocos.pt")
    ck = load(path) if os.path.exists(path) else None
    cfg = ck["config"] if ck else {"dim": a.dim, "intermediate": a.intermediate, "layers": a.layers}
    model = build(cfg).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.8, 0.9), weight_decay=0.01)
    discs = Discriminators().to(dev) if a.gan else None
    opt_d = torch.optim.AdamW(discs.parameters(), lr=a.lr, betas=(0.8, 0.9), weight_decay=0.01) if a.gan else None
    step = 0
    if ck:
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        if a.gan and "discs" in ck:
            discs.load_state_dict(ck["discs"])
            opt_d.load_state_dict(ck["opt_d"])
        step = ck["step"]
        a.steps = ck.get("steps", a.steps) if a.minutes else a.steps
        print(f"resumed at step {step} of {a.steps}", flush=True)
    n_par = sum(p.numel() for p in model.parameters())
    print(f"vocos: dim {cfg['dim']}, intermediate {cfg['intermediate']}, layers {cfg['layers']}: {n_par / 1e6:.2f} M "
          f"parameters ({4 * n_par / 2**20:.1f} MB FP32) on {dev}; {len(train_clips)} training clips "
          f"({sum(len(x) for x in train_clips) / SR:.0f} s), batch {a.batch} x {a.frames} frames, "
          f"GAN {'on' if a.gan else 'off'}", flush=True)
    log = open(os.path.join(a.ckpt, "vocos.log"), "a")
    t0, start, run = time.time(), step, []
    while step < a.steps:
        rng = np.random.default_rng([a.seed, step])
        y = torch.from_numpy(crops(train_clips, weights, rng, a.batch, samples)).to(dev)
        warm = min(200, max(1, a.steps // 10))
        lr = a.lr * min(1.0, (step + 1) / warm) * (0.05 + 0.475 * (1 + math.cos(math.pi * step / a.steps)))
        for o in (opt, opt_d) if a.gan else (opt,):
            for p in o.param_groups:
                p["lr"] = lr
        mel = logmel(y)                                              # [B, T, 64], T = frames + 1
        y_hat = model(mel)                                           # [B, frames * hop]
        gan_on = a.gan and step >= a.gan_start
        if gan_on:
            ld = d_loss(discs, y, y_hat)
            opt_d.zero_grad()
            ld.backward()
            torch.nn.utils.clip_grad_norm_(discs.parameters(), 1000.0)
            opt_d.step()
        l_mel = F.l1_loss(logmel(y_hat), mel)
        l_stft = mrstft_loss(y_hat, y)
        loss = a.mel_weight * l_mel + l_stft
        parts = [l_mel.detach(), l_stft.detach()]
        if gan_on:
            adv, fm = g_loss(discs, y, y_hat)
            loss = loss + adv + 2 * fm
            parts += [adv.detach(), fm.detach()]
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1000.0)
        opt.step()
        step += 1
        if a.minutes and step == start + dit_train.BUDGET_PROBE:
            a.steps = dit_train.budget_steps("vocos", a, step, t0, log)
        run.append(torch.stack(parts) if len(parts) == 4 else torch.stack(parts + [torch.zeros_like(l_mel)] * 2))
        if step % a.log == 0 or step == a.steps:
            m = torch.stack(run).mean(0).tolist()
            msg = (f"vocos step {step} mel L1 {m[0]:.4f} mrstft {m[1]:.4f}"
                   + (f" adv {m[2]:.3f} fm {m[3]:.3f}" if gan_on else "") + f" lr {lr:.2e} ({time.time() - t0:.0f} s)")
            print(msg, flush=True)
            log.write(msg + "\n")
            log.flush()
            run = []
        if step % a.every == 0 or step == a.steps:
            ck = {"model": {k: v.cpu() for k, v in model.state_dict().items()}, "opt": opt.state_dict(),
                  "step": step, "steps": a.steps, "config": cfg, "seed": a.seed}
            if a.gan:
                ck.update(discs={k: v.cpu() for k, v in discs.state_dict().items()}, opt_d=opt_d.state_dict())
            torch.save(ck, path + ".part")
            os.replace(path + ".part", path)
    msg = heldout_report(model, logmel, held, dev)
    log.write(msg + "\n")


# ---- held-out evaluation ----

def gl_magnitude(logmel_frames, fb):
    """GriffinLimVocoder's approximate mel inverse: log-mel [T, 64] -> |X| [bins, T]."""
    band_norm = 1 / fb.sum(0).clamp(min=1e-30)
    bin_sum = fb.sum(1)
    bin_norm = torch.where(bin_sum > 0, 1 / bin_sum.clamp(min=1e-30), torch.zeros_like(bin_sum))
    mel = torch.exp(torch.clamp(logmel_frames, max=20)) * band_norm
    return ((mel @ fb.T) * bin_norm).T


def griffin_lim(mag, length, iterations=32, momentum=0.99):
    """GriffinLim.run with Init.ZERO (torchaudio's fast Griffin-Lim): |X| [bins, T] -> [length]."""
    w = torch.hann_window(N_FFT, device=mag.device)
    m = momentum / (1 + momentum)
    angles = torch.ones_like(mag, dtype=torch.complex64)
    prev = torch.zeros_like(angles)
    for _ in range(iterations):
        wave = torch.istft(mag * angles, N_FFT, HOP, N_FFT, w, center=True, length=length)
        rebuilt = torch.stft(wave, N_FFT, HOP, N_FFT, w, center=True, pad_mode="reflect", return_complex=True)
        a = rebuilt - m * prev
        angles = a / (a.abs() + 1e-16)
        prev = rebuilt
    return torch.istft(mag * angles, N_FFT, HOP, N_FFT, w, center=True, length=length)


@torch.no_grad()
def heldout_report(model, logmel, held, dev, seconds=3.0):
    """Mel L1 (the engine's log-mel) and multi-resolution STFT loss against the real recording (phase coherence shows
    at the resolutions the mel does not use) of held-out clips, first `seconds` of each: Vocos vs Griffin-Lim."""
    model.eval()
    lv, lg, sv, sg, n = 0.0, 0.0, 0.0, 0.0, 0
    for x in held:
        s = min(len(x), int(seconds * SR)) // HOP * HOP
        if s < N_FFT:
            continue
        y = torch.from_numpy(x[:s].copy())[None].to(dev)
        mel = logmel(y)                                             # [1, s / hop + 1, 64]
        v = model(mel)
        g = griffin_lim(gl_magnitude(mel[0], logmel.fb), s)[None]
        lv += F.l1_loss(logmel(v), mel).item()
        lg += F.l1_loss(logmel(g), mel).item()
        sv += mrstft_loss(v, y).item()
        sg += mrstft_loss(g, y).item()
        n += 1
    model.train()
    msg = (f"heldout ({n} clips, first {seconds:.0f} s): mel L1 vocos {lv / n:.4f} griffin-lim(32) {lg / n:.4f}; "
           f"mrstft vocos {sv / n:.4f} griffin-lim(32) {sg / n:.4f}")
    print(msg, flush=True)
    return msg


def load_ckpt(ckpt_dir):
    ck = load(os.path.join(ckpt_dir, "vocos.pt"))
    model = build(ck["config"])
    model.load_state_dict(ck["model"])
    return model.eval(), ck


def heldout(a):
    model, _ = load_ckpt(a.ckpt)
    _, held, _, _, _ = load_data(a.data, a.waves)
    heldout_report(model, LogMel(), held, torch.device("cpu"))


def export(a):
    model, ck = load_ckpt(a.ckpt)
    cfg = ck["config"]
    path = os.path.join(a.model, "foleynet.json")
    fj = json.load(open(path))
    st.write(os.path.join(a.model, "vocoder.safetensors"), {k: v.numpy() for k, v in model.state_dict().items()},
             {"source": f"recipe/vocos.py step {ck['step']} seed {ck.get('seed')}",
              "config": json.dumps(dict(cfg, n_mels=N_MELS, n_fft=N_FFT, hop=HOP, sample_rate=SR))})
    v = fj["vocoder"]
    assert (v["sampleRate"], v["nFft"], v["hop"], v["nMels"], v["fMin"], v["fMax"]) == (SR, N_FFT, HOP, N_MELS, F_MIN,
                                                                                       F_MAX), v
    v.update(kind="vocos", file="vocoder.safetensors", dim=cfg["dim"], intermediate=cfg["intermediate"],
             layers=cfg["layers"], maxFrames=a.max_frames)
    with open(path, "w") as f:
        json.dump(fj, f, indent=2)
        f.write("\n")
    size = os.path.getsize(os.path.join(a.model, "vocoder.safetensors"))
    print(f"export: {a.model}/vocoder.safetensors ({size / 2**20:.1f} MB, step {ck['step']}), foleynet.json vocoder "
          f"= vocos {cfg['dim']}/{cfg['intermediate']}/{cfg['layers']}, maxFrames {a.max_frames}")


@torch.no_grad()
def parity(a):
    """The exported vocoder in PyTorch on a held-out clip's engine mel: reference for `recipe/java.sh vocos`."""
    fj = json.load(open(os.path.join(a.model, "foleynet.json")))["vocoder"]
    w, _ = st.read(os.path.join(a.model, fj["file"]))
    model = build(fj)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in w.items()})
    model.eval()
    ds = json.load(open(os.path.join(a.data, "dataset.json")))["clips"]
    i = max((c for c in ds if c["split"] != "train"), key=lambda c: c["seconds"])["index"]
    mel = st.read(os.path.join(a.data, "mels.safetensors"))[0][f"mel.{i}"][:a.frames]
    audio = model(torch.from_numpy(mel)[None])[0].numpy()
    st.write(a.out, {"mel": mel, "audio": audio}, {"clip": i})
    print(f"parity: clip {i}, {mel.shape[0]} frames -> {audio.shape[0]} samples, peak {np.abs(audio).max():.4f}: {a.out}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--ckpt", required=True)
    t.add_argument("--device", default="cpu")
    t.add_argument("--steps", type=int, default=1000)
    t.add_argument("--minutes", type=float, default=None,
                   help="wall-clock budget; fixes --steps from the speed of the first 200 steps")
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--frames", type=int, default=96, help="crop length in mel frames (hop 512)")
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--lr", type=float, default=5e-4)
    t.add_argument("--dim", type=int, default=256)
    t.add_argument("--intermediate", type=int, default=768)
    t.add_argument("--layers", type=int, default=6)
    t.add_argument("--mel-weight", type=float, default=45.0)
    t.add_argument("--gan", action="store_true", help="multi-period + multi-resolution discriminators (hinge)")
    t.add_argument("--gan-start", type=int, default=0, help="first step with the adversarial term")
    t.add_argument("--uncaptioned", action="store_true",
                   help="also train on the recordings dataset.json leaves out (UI sounds, in neither split)")
    t.add_argument("--log", type=int, default=100)
    t.add_argument("--every", type=int, default=1000)
    t.add_argument("--threads", type=int, default=0)
    for q in [t] + [sub.add_parser(n) for n in ("heldout", "export", "parity")]:
        q.add_argument("--data", default=os.path.join(HERE, "work", "data"))
        q.add_argument("--waves", default=os.path.join(HERE, "work", "waves", "waves.safetensors"))
    sub.choices["heldout"].add_argument("ckpt")
    e = sub.choices["export"]
    e.add_argument("ckpt")
    e.add_argument("model")
    e.add_argument("--max-frames", type=int, default=MAX_FRAMES)
    r = sub.choices["parity"]
    r.add_argument("model")
    r.add_argument("out")
    r.add_argument("--frames", type=int, default=200)
    a = p.parse_args()
    {"train": train, "heldout": heldout, "export": export, "parity": parity}[a.cmd](a)


if __name__ == "__main__":
    main()
