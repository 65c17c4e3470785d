#!/usr/bin/python3
"""The evaluation classifier of issue 8: a small audio classifier trained on the real training split only, used by
the Java evaluation (`bin/foley evaluate`) to measure text fidelity and the Fréchet distance of generated audio.

  /usr/bin/python3 recipe/classifier.py [--out recipe/classifier.safetensors] [--steps 3000] [--seed 1]

Input: a [128, 64] crop of natural-log Slaney mel (the training data's definition, `data.py`), the same window the
decoder generates. Features (`features`, mirrored by io.foley4j.pipeline.eval.AudioClassifier): over the "active"
frames (envelope >= ACTIVE, i.e. within 30 dB of the crop's loudest frame) the per-band mean, the per-band standard
deviation and the per-band mean absolute frame-to-frame change (64 each), then 4 numbers of the envelope (active
fraction, mean, standard deviation, mean absolute change): 196 values. Network: standardized features -> 64 ReLU ->
32 ReLU (the embedding the Fréchet distance uses) -> one logit per class. Classes are coarse sound categories
(CLASSES: caption -> class); captions in no class are not used.

Training: random crops of the training clips (train.crop) with a random gain of +-1 in log-mel (about +-9 dB),
Adam, dropout 0.2, deterministic given --seed. Reports the accuracy on crops of the held-out clips (by source file,
the split of dataset.json) and writes the file plus a small parity file for the Java test (AudioClassifierTest: three
held-out crops with their features, embeddings and logits).
"""
import argparse
import json
import os

import numpy as np
import torch

import data
import st
import train

ACTIVE = 0.5
T = 128
CLASSES = {
    "footsteps": ["footsteps on dirt", "footsteps on glass", "footsteps on grass", "footsteps on gravel",
                  "footsteps on ice", "footsteps on metal", "footsteps on sand", "footsteps on snow",
                  "footsteps on stone", "footsteps on wood", "footsteps in water"],
    "impact": ["axe chops wood", "block placed with a thud", "pickaxe hits stone", "stone block placed", "soft thud",
               "body hit", "digging in dirt", "digging in gravel", "gravel crunches", "dirt block breaks"],
    "breaking": ["glass shatters", "ice cracks", "ice breaks", "tool breaks", "soft object breaks", "twigs snap"],
    "fire and water": ["fire crackles", "fire crackles in a furnace", "large fire roars", "small fire crackles",
                       "fuse burns", "fire is put out", "lava hisses in water", "lava bubbles", "water flows"],
    "metal": ["metal clang", "metal block placed with a clang", "tool hits metal", "metal door slams",
              "metal door opens", "metal bar door closes", "metal bar door opens", "metal cart rolling on rails",
              "small bell rings"],
    "door": ["wooden door closes", "wooden door opens", "wooden gate closes", "wooden gate opens",
             "wooden chest lid closes", "wooden chest lid opens", "glass door closes", "glass door opens"],
}
NAMES = list(CLASSES)
CLASS_OF = {cap: i for i, name in enumerate(NAMES) for cap in CLASSES[name]}


def features(mel):
    """[T, 64] log-mel -> [196] float64 (the Java AudioClassifier computes the same, in the same order)."""
    mel = mel.astype(np.float64)
    e = np.log(np.exp(mel).sum(axis=1))
    env = np.clip(1 + (e - e.max()) / data.ENV_RANGE, 0, 1)
    act = env >= ACTIVE
    a = mel[act]
    mean = a.mean(axis=0)
    std = np.sqrt(((a - mean) ** 2).mean(axis=0))
    d = np.abs(np.diff(mel, axis=0))                        # [T-1, 64]; a change counts where both frames are active
    both = act[1:] & act[:-1]
    flux = d[both].mean(axis=0) if both.any() else np.zeros(mel.shape[1])
    scal = [act.mean(), env.mean(), env.std(), np.abs(np.diff(env)).mean()]
    return np.concatenate([mean, std, flux, scal])


class Net(torch.nn.Module):
    def __init__(self, n_in, n_classes):
        super().__init__()
        self.register_buffer("mean", torch.zeros(n_in))
        self.register_buffer("std", torch.ones(n_in))
        self.fc1 = torch.nn.Linear(n_in, 64)
        self.fc2 = torch.nn.Linear(64, 32)
        self.head = torch.nn.Linear(32, n_classes)
        self.drop = torch.nn.Dropout(0.2)

    def embed(self, f):
        x = (f - self.mean) / self.std
        return torch.relu(self.fc2(self.drop(torch.relu(self.fc1(x)))))

    def forward(self, f):
        return self.head(self.drop(self.embed(f)))


def heldout_crops(c, n=4):
    """The evaluation's crops of a held-out clip, as the Java evaluation takes them (FoleyEvaluation.crops)."""
    m = c["mel"]
    frames = m.shape[0]
    out = []
    for v in range(n):
        mel = np.full((T, data.N_MELS), data.LOG_FLOOR, np.float32)
        if frames >= T:
            a = (frames - T) * v // max(1, n - 1)
            mel[:] = m[a:a + T]
        else:
            o = (T - frames) * v // max(1, n - 1)
            mel[o:o + frames] = m
        out.append(mel)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.path.join(data.HERE, "classifier.safetensors"))
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--parity", default=os.path.join(data.HERE, "..", "pipeline", "src", "test", "resources", "eval",
                                                    "classifier_parity.safetensors"),
                   help="where the Java test's parity data goes (AudioClassifierTest)")
    a = p.parse_args()
    torch.set_num_threads(1)
    ds = json.load(open(os.path.join(data.DATA, "dataset.json")))
    mels, _ = st.read(os.path.join(data.DATA, "mels.safetensors"))
    clips = []
    for c in ds["clips"]:
        if c["caption"] in CLASS_OF:
            m = mels["mel.%d" % c["index"]]
            clips.append(dict(c, mel=m, env=data.envelope(m), label=CLASS_OF[c["caption"]]))
    tr = [c for c in clips if c["split"] == "train"]
    held = [c for c in clips if c["split"] == "heldout"]
    print(f"classes {NAMES}; train clips {len(tr)}, held-out clips {len(held)}")
    rng = np.random.default_rng([a.seed, 0])
    sample = np.stack([features(train.crop(tr[i], rng)[0]) for i in rng.integers(0, len(tr), 2000)])
    torch.manual_seed(a.seed)
    net = Net(sample.shape[1], len(NAMES))
    net.mean.copy_(torch.from_numpy(sample.mean(axis=0)).float())
    net.std.copy_(torch.from_numpy(sample.std(axis=0) + 1e-3).float())
    # classes are unbalanced (footsteps are a third of the clips): weight the loss by inverse frequency
    counts = np.bincount([c["label"] for c in tr], minlength=len(NAMES)).astype(np.float64)
    weight = torch.tensor(counts.sum() / (len(NAMES) * np.maximum(counts, 1)), dtype=torch.float32)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-4)
    for step in range(a.steps):
        r = np.random.default_rng([a.seed, step + 1])
        idx = r.integers(0, len(tr), a.batch)
        f = np.stack([features(train.crop(tr[i], r)[0] + r.uniform(-1, 1)) for i in idx])
        y = torch.tensor([tr[i]["label"] for i in idx])
        loss = torch.nn.functional.cross_entropy(net(torch.from_numpy(f).float()), y, weight=weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if (step + 1) % 500 == 0:
            print(f"classifier step {step + 1} loss {loss.item():.4f}", flush=True)
    net.eval()
    with torch.no_grad():
        def acc(cs):
            ok = n = 0
            for c in cs:
                for mel in heldout_crops(c):
                    ok += int(net(torch.from_numpy(features(mel)).float()[None]).argmax()) == c["label"]
                    n += 1
            return ok / n
        print(f"accuracy: train crops {acc(tr):.3f}, held-out crops {acc(held):.3f} "
              f"(chance {max(counts) / counts.sum():.3f} by majority class)")
    meta = {"format": "foley4j-audio-classifier/1", "classes": json.dumps(NAMES),
            "captions": json.dumps({cap: NAMES[i] for cap, i in CLASS_OF.items()}), "active": ACTIVE,
            "frames": T, "source": f"recipe/classifier.py --steps {a.steps} --seed {a.seed}"}
    sd = {k: v.numpy() for k, v in net.state_dict().items()}
    st.write(a.out, sd, meta)
    print(f"wrote {a.out}")
    # parity data for the Java test: three held-out crops, their features, embeddings and logits
    with torch.no_grad():
        crops = [heldout_crops(held[i])[i % 4] for i in (0, len(held) // 2, len(held) - 1)]
        f = np.stack([features(m) for m in crops])
        ft = torch.from_numpy(f).float()
        st.write(a.parity,
                 {"mel": np.stack(crops), "features": f, "embedding": net.embed(ft).numpy(), "logits": net(ft).numpy()},
                 {"source": "recipe/classifier.py"})


if __name__ == "__main__":
    main()
