#!/usr/bin/python3
"""Trains FoleyNet v0 on CPU, one command per stage (see recipe/README.md):

  /usr/bin/python3 recipe/train.py timbre --steps 3000     DiT over normalized log-mel of the real recordings,
                                                           conditioned on caption tokens and the RMS-like envelope
  /usr/bin/python3 recipe/train.py timing --steps 600      aligner: motion features of rendered scenes -> the
                                                           contact envelope at the mel rate (--features 3: with
                                                           the motion stop, video.motionFeatures 3 at export)

Deterministic given --seed on CPU with one thread: every step draws its batch and noise from generators seeded by
(seed, step), so a run resumed from its checkpoint (recipe/work/ckpt/STAGE.pt, written every --every steps and at
the end) continues exactly as an uninterrupted one. Losses are printed and appended to recipe/work/ckpt/STAGE.log.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch

import data
import model as M
import st

CKPT = os.path.join(data.WORK, "ckpt")
T_TRAIN = 128                     # mel frames per training crop (1.37 s), the decoder's window
CAPTION_DROPOUT = 0.15
ALIGNER_FPS = 24.0


def dit_config(hidden=128, depth=3, heads=4, mlp=None):
    # hidden >= patch x channels (2 x 64): v0's hidden 96 could only output a 96-dimensional subspace of each
    # 128-value token, so its x0 estimates kept up to half of the noise in the other 32 dimensions (grainy log-mel).
    # Defaults: v1 (hidden 128, 3 blocks, MLP 4 x hidden).
    return M.DitCfg(in_channels=64, patch=2, hidden=hidden, heads=heads, depth=depth, mlp_hidden=mlp or 4 * hidden,
                    text_dim=384, cond_dim=1, freq_dim=128, max_frames=T_TRAIN, max_text_tokens=16, max_batch=2,
                    lstm=False)


def load_timbre_data():
    ds = json.load(open(os.path.join(data.DATA, "dataset.json")))
    mels, _ = st.read(os.path.join(data.DATA, "mels.safetensors"))
    text, _ = st.read(os.path.join(data.DATA, "text.safetensors"))
    clips = []
    for c in ds["clips"]:
        m = mels["mel.%d" % c["index"]]
        clips.append(dict(c, mel=m, env=data.envelope(m)))
    train = [c for c in clips if c["split"] == "train"]
    # normalization over what the model sees: 1000 training crops (silence padding included)
    rng = np.random.default_rng([7, 1_000_000])
    sample = np.stack([crop(train[i], rng)[0] for i in rng.integers(0, len(train), 1000)])
    return clips, train, torch.from_numpy(text["tokens"]), torch.from_numpy(text["mask"]), \
        float(sample.mean()), float(sample.std())


def crop(c, rng, t=T_TRAIN):
    """A [t, 64] window of the clip and its envelope [t]: a random crop of a long clip, a short clip placed at a
    random offset in silence (the log floor), so onsets move with the envelope."""
    m, e = c["mel"], c["env"]
    n = m.shape[0]
    mel = np.full((t, data.N_MELS), data.LOG_FLOOR, np.float32)
    env = np.zeros(t, np.float32)
    if n >= t:
        a = int(rng.integers(0, n - t + 1))
        mel[:], env[:] = m[a:a + t], e[a:a + t]
    else:
        o = int(rng.integers(0, t - n + 1))
        mel[o:o + n], env[o:o + n] = m, e
    return mel, env


BUDGET_PROBE = 200   # steps timed before a wall-clock budget (--minutes) fixes the step count


def budget_steps(stage, a, step, t0, log):
    """The step count a wall-clock budget allows, fixed once from the speed of the BUDGET_PROBE steps since t0 (with
    3% to spare), never below `step`; logged, so that `--steps N --minutes 0` repeats the run without a budget."""
    rate = BUDGET_PROBE / (time.time() - t0)
    steps = min(a.steps, step + max(0, int(rate * (a.minutes * 60 - (time.time() - t0)) * 0.97)))
    msg = f"{stage}: {rate:.1f} steps/s, budget {a.minutes} min -> --steps {steps}"
    print(msg, flush=True)
    log.write(msg + "\n")
    return steps


def save(path, obj):
    tmp = path + ".part"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def train_timbre(a):
    clips, train, tokens, masks, mean, std = load_timbre_data()
    dev = torch.device(a.device)
    tokens, masks = tokens.to(dev), masks.to(dev)
    torch.manual_seed(a.seed)
    cfg = dit_config(a.hidden, a.depth, a.heads, a.mlp)
    dit = M.Dit(cfg).to(dev)
    print(f"timbre: DiT hidden {cfg.hidden}, depth {cfg.depth}, heads {cfg.heads}, MLP {cfg.mlp_hidden}: "
          f"{sum(p.numel() for p in dit.parameters()) / 1e6:.2f} M parameters on {dev}, batch {a.batch}", flush=True)
    opt = torch.optim.AdamW(dit.parameters(), lr=a.lr, weight_decay=0.01)
    sched = M.Schedule()
    abar = torch.from_numpy(sched.abar).float().to(dev)
    path = os.path.join(CKPT, "timbre.pt")
    step = 0
    if os.path.exists(path) and not a.restart:
        ck = torch.load(path, map_location=dev)
        dit.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step = ck["step"]
        a.steps = ck.get("steps", a.steps) if a.minutes else a.steps
        print(f"resumed at step {step}")
    elif a.init:
        w, _ = st.read(os.path.join(a.init, "decoder.safetensors"))
        dit.load_state_dict({k: torch.from_numpy(v) for k, v in w.items()})
        print(f"initialized from {a.init}/decoder.safetensors")
    log = open(os.path.join(CKPT, "timbre.log"), "a")
    t0, run = time.time(), []
    start = step
    while step < a.steps:
        rng = np.random.default_rng([a.seed, step])
        g = torch.Generator().manual_seed(a.seed * 1_000_003 + step)
        idx = rng.integers(0, len(train), a.batch)
        xs, es = zip(*(crop(train[i], rng) for i in idx))
        x0 = (torch.from_numpy(np.stack(xs)) - mean) / std                       # [B, T, 64]
        env = torch.from_numpy(np.stack(es))[..., None]                         # [B, T, 1]
        cap = np.array([train[i]["caption_index"] for i in idx])
        cap[rng.random(a.batch) < CAPTION_DROPOUT] = 0                          # "" : the unconditional prompt
        cap = torch.from_numpy(cap).to(dev)
        text, mask = tokens[cap], masks[cap]
        t = torch.randint(0, sched.n, (a.batch,), generator=g)
        eps = torch.randn(x0.shape, generator=g)
        x0, env, eps, t = x0.to(dev), env.to(dev), eps.to(dev), t.to(dev)
        sa, so = abar[t].sqrt()[:, None, None], (1 - abar[t]).sqrt()[:, None, None]
        xt = sa * x0 + so * eps
        v = sa * eps - so * x0                                                  # v-prediction target
        lr = a.lr * min(1.0, (step + 1) / 200)
        if a.cosine:                                                            # to lr / 10 at the last step
            lr *= 0.1 + 0.45 * (1 + math.cos(math.pi * step / a.steps))
        for p in opt.param_groups:
            p["lr"] = lr
        loss = torch.nn.functional.mse_loss(dit(xt, t.float(), text, mask, env), v)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(dit.parameters(), 1.0)
        opt.step()
        step += 1
        if a.minutes and step == start + BUDGET_PROBE:
            a.steps = budget_steps("timbre", a, step, t0, log)
        run.append(loss.detach())
        if step % a.log == 0 or step == a.steps:
            msg = f"timbre step {step} loss {torch.stack(run).mean().item():.4f} ({time.time() - t0:.0f} s)"
            print(msg, flush=True)
            log.write(msg + "\n")
            log.flush()
            run = []
        if step % a.every == 0 or step == a.steps:
            save(path, {"model": {k: v.cpu() for k, v in dit.state_dict().items()}, "opt": opt.state_dict(),
                        "step": step, "steps": a.steps, "config": cfg.to_json(), "mel_shift": mean, "mel_scale": std})
    msg = f"heldout v-loss {heldout_loss(dit, clips, tokens, masks, mean, std, sched, a.seed):.4f}"
    print(msg, flush=True)
    log.write(msg + "\n")


@torch.no_grad()
def heldout_loss(dit, clips, tokens, masks, mean, std, sched, seed):
    """Mean v-prediction loss on held-out clips at 8 fixed timesteps (a fixed, comparable number)."""
    rng = np.random.default_rng([seed, 999_999])
    g = torch.Generator().manual_seed(seed)
    held = [c for c in clips if c["split"] == "heldout"]
    dev = tokens.device
    abar = torch.from_numpy(sched.abar).float()
    losses = []
    for c in held:
        mel, env = crop(c, rng)
        x0 = ((torch.from_numpy(mel) - mean) / std)[None].repeat(8, 1, 1)
        t = torch.linspace(50, 950, 8).long()
        eps = torch.randn(x0.shape, generator=g)
        sa, so = abar[t].sqrt()[:, None, None], (1 - abar[t]).sqrt()[:, None, None]
        out = dit((sa * x0 + so * eps).to(dev), t.float().to(dev), tokens[[c["caption_index"]] * 8],
                  masks[[c["caption_index"]] * 8], torch.from_numpy(env)[None, :, None].repeat(8, 1, 1).to(dev))
        losses.append(torch.nn.functional.mse_loss(out.cpu(), sa * eps - so * x0).item())
    return float(np.mean(losses))


class ScaledAligner(torch.nn.Module):
    """The aligner with a fixed per-feature input scale (luma change is ~1e-3): folded into lstm.weight_ih_l0* at
    export, so the engine's Aligner sees the raw features."""

    def __init__(self, scale):
        super().__init__()
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32))
        self.net = M.Aligner(len(scale), 32, True, 1)

    def forward(self, f):
        return self.net(f * self.scale)

    def folded(self):
        sd = {k: v.clone() for k, v in self.net.state_dict().items()}
        for k in ("lstm.weight_ih_l0", "lstm.weight_ih_l0_reverse"):
            sd[k] = sd[k] * self.scale[None, :]
        return sd


# per-feature input scale: luma change (~1e-3), contact strength (0..1), motion stop (0..1)
INPUT_SCALE = [100.0, 1.0, 1.0]


def load_scenes(features=2):
    """[(features [F, features], target envelope at the mel rate, kind)] of every rendered scene: the first
    `features` motion columns of feat.N (RecipeDump scenes writes 2 or 3; the first 2 are the same either way); the
    target is data.event_envelope of events.N (impacts and intervals), or data.contact_envelope of contacts.N in a
    file written before events existed (all bouncing)."""
    d, meta = st.read(os.path.join(data.WORK, "scenes", "scenes.safetensors"))
    n = len([k for k in d if k.startswith("feat.")])
    out = []
    for i in range(n):
        f = d["feat.%d" % i]
        if f.shape[1] < features:
            raise SystemExit(f"scenes.safetensors has {f.shape[1]} motion features, --features {features} needs "
                             f"scenes rendered with {features} (recipe/prepare.sh, RecipeDump scenes ... {features})")
        f = np.ascontiguousarray(f[:, :features])
        frames = int(math.ceil(f.shape[0] / ALIGNER_FPS * data.FRAME_RATE))
        if "events.%d" % i in d:
            target = data.event_envelope(d["events.%d" % i], frames)
        else:
            target = data.contact_envelope(d["contacts.%d" % i], frames)
        out.append((f, target, meta.get("kind.%d" % i, "bouncing")))
    return out


def split_scenes(scenes):
    """Held out: the last max(1, n // 5) scenes of each kind (for one kind, the last fifth as before)."""
    train, test = [], []
    for kind in dict.fromkeys(k for _, _, k in scenes):
        of = [s for s in scenes if s[2] == kind]
        held = max(1, len(of) // 5)
        train += of[:-held]
        test += of[-held:]
    return train, test


def train_timing(a):
    scenes = load_scenes(a.features)
    train, test = split_scenes(scenes)
    kinds = list(dict.fromkeys(k for _, _, k in scenes))
    print("timing: " + ", ".join(f"{k} {sum(s[2] == k for s in train)} train / {sum(s[2] == k for s in test)} held out"
                                 for k in kinds))
    torch.manual_seed(a.seed)
    al = ScaledAligner(INPUT_SCALE[:a.features])
    print(f"timing: {al.scale.numel()} motion features, input scale {al.scale.tolist()}")
    opt = torch.optim.Adam(al.parameters(), lr=a.lr)
    path = os.path.join(CKPT, "timing.pt")
    step = 0
    if os.path.exists(path) and not a.restart:
        ck = torch.load(path)
        al.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step = ck["step"]
        print(f"resumed at step {step}")
    log = open(os.path.join(CKPT, "timing.log"), "a")

    def batches(items):
        """Scenes of equal length stacked: [(features [B, F, D], targets [B, T], k0, k1, w)], interpolation
        indices computed once."""
        groups = {}
        for f, target, _ in items:
            groups.setdefault((f.shape[0], len(target)), []).append((f, target))
        out = []
        for (frames, t), g in groups.items():
            k0, k1, w = M.interp_weights(frames, ALIGNER_FPS, t, data.FRAME_RATE)
            out.append((torch.from_numpy(np.stack([f for f, _ in g])), torch.from_numpy(np.stack([y for _, y in g])),
                        torch.from_numpy(k0), torch.from_numpy(k1), torch.from_numpy(w).float()[None, :]))
        return out

    def loss_of(batched):
        """The mean over scenes of each scene's MSE between the interpolated aligner output and its target."""
        ls = []
        for f, target, k0, k1, w in batched:
            rows = al(f)[..., 0]                                                # [B, F]
            pred = (1 - w) * rows[:, k0] + w * rows[:, k1]                      # [B, T]
            ls.append(((pred - target) ** 2).mean(dim=1))
        return torch.cat(ls).mean()

    train_b, test_b = batches(train), batches(test)
    kind_b = {k: batches([s for s in test if s[2] == k]) for k in kinds}
    t0 = time.time()
    while step < a.steps:
        loss = loss_of(train_b)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        if step % a.log == 0 or step == a.steps:
            with torch.no_grad():
                ht = loss_of(test_b).item()
                per_kind = " ".join(f"{k} {loss_of(kind_b[k]).item():.4f}" for k in kinds)
            msg = (f"timing step {step} loss {loss.item():.4f} heldout {ht:.4f}"
                   + (f" ({per_kind})" if len(kinds) > 1 else "") + f" ({time.time() - t0:.0f} s)")
            print(msg, flush=True)
            log.write(msg + "\n")
            log.flush()
        if step % a.every == 0 or step == a.steps:
            save(path, {"model": al.state_dict(), "opt": opt.state_dict(), "step": step})


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("stage", choices=["timbre", "timing"])
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--every", type=int, default=250)
    p.add_argument("--log", type=int, default=50)
    p.add_argument("--restart", action="store_true", help="ignore an existing checkpoint")
    p.add_argument("--init", default=None, help="timbre: start from an exported folder's decoder weights")
    p.add_argument("--cosine", action="store_true", help="timbre: cosine learning-rate decay to lr / 10")
    p.add_argument("--ckpt", default=CKPT, help="checkpoint folder (default recipe/work/ckpt)")
    p.add_argument("--device", default="cpu", help="timbre: cpu (bit-reproducible) or cuda (seeded, not bitwise)")
    p.add_argument("--hidden", type=int, default=128, help="timbre: DiT width (v1: 128)")
    p.add_argument("--depth", type=int, default=3, help="timbre: DiT blocks (v1: 3)")
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--mlp", type=int, default=None, help="timbre: MLP width (default 4 x hidden)")
    p.add_argument("--features", type=int, default=2, choices=[2, 3],
                   help="timing: motion features per frame (2: luma change, contact; 3: and motion stop)")
    p.add_argument("--minutes", type=float, default=None,
                   help="timbre: wall-clock budget; fixes --steps from the speed of the first 200 steps")
    a = p.parse_args()
    torch.set_num_threads(1)
    CKPT = a.ckpt
    os.makedirs(CKPT, exist_ok=True)
    if a.stage == "timbre":
        a.lr = a.lr or 3e-4
        train_timbre(a)
    else:
        a.lr = a.lr or 1e-2
        train_timing(a)
